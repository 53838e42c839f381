"""Whether a download can work, asked without hanging on an offline machine."""

import socket
import threading


def host_reachable(host, port=443, timeout=3.0):
    """Whether a TCP connection to `host:port` opens within `timeout` seconds.

    Name resolution ignores socket timeouts and can block far longer than
    `timeout`, so the probe runs in a daemon thread that is waited for at
    most `timeout` seconds and then abandoned.
    """
    outcome = {"reachable": False}
    finished = threading.Event()

    def probe():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome["reachable"] = True
        except OSError:
            pass  # Unresolvable or refused: offline, as far as we can tell.
        finally:
            finished.set()

    threading.Thread(target=probe, daemon=True).start()
    finished.wait(timeout)
    return outcome["reachable"]
