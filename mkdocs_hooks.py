"""MkDocs hooks: the README as the site's home page, and links to repository files.

The Markdown pages are written to read on a code host as well as on the site,
so they link to files outside `docs/` (`../benchmarks/results/x.json`,
`tests/test_x.py`) and the README links to `docs/page.md`. On the site those
targets do not exist. These hooks

- publish README.md as `index.md`, its `docs/...` links made relative to `docs/`;
- copy every repository file a page links to outside `docs/` into the site under
  `repo/`, and point the link there, so `mkdocs build --strict` still checks it
  (a link to a missing file stays as written and fails the strict build);
- write a link to a repository folder as its path in code, since a static site
  has no folder listings.

`KerasDocstrings` is a griffe extension for mkdocstrings (see mkdocs.yml).
"""

import posixpath
import re
from pathlib import Path

import griffe
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
REPO_PREFIX = "repo"
# [text](target) and ![alt](target), with an optional #anchor; not URLs.
LINK = re.compile(r"(!?\[[^\]]*\])\(([^)\s#]+)(#[^)\s]*)?\)")
# src="target" of an HTML <img> (the README's picture floats right).
HTML_SRC = re.compile(r'(src=)"([^"#]+)"()')


def _page_source(page_uri):
    """The file in the repository a site page is written from."""
    return ROOT / "README.md" if page_uri == "index.md" else DOCS / page_uri


def _rewrite(markdown, page_uri, copied):
    source_dir = _page_source(page_uri).parent
    page_dir = posixpath.dirname(page_uri)

    def replace(match):
        text, target, anchor = match.group(1), match.group(2), match.group(3) or ""
        if "://" in target or target.startswith("mailto:"):
            return match.group(0)
        path = (source_dir / target).resolve()
        if not path.exists() or not path.is_relative_to(ROOT):
            return match.group(0)  # mkdocs reports it: a broken link fails --strict
        if path.is_relative_to(DOCS):
            site_uri = path.relative_to(DOCS).as_posix()
        elif path.is_dir():
            shown = path.relative_to(ROOT).as_posix() + "/"
            return f"{text.lstrip('!')[1:-1]} (`{shown}` in the repository)"
        else:
            site_uri = f"{REPO_PREFIX}/{path.relative_to(ROOT).as_posix()}"
            copied.add(path)
        relative = posixpath.relpath(site_uri, page_dir or ".")
        return f'{text}"{relative}"' if text == "src=" else f"{text}({relative}{anchor})"

    return HTML_SRC.sub(replace, LINK.sub(replace, markdown))


def on_files(files, config):
    """Add the home page and every repository file the pages link to."""
    files.append(File.generated(config, "index.md", content=(ROOT / "README.md").read_text()))
    copied = set()
    for page in [*DOCS.rglob("*.md"), ROOT / "README.md"]:
        uri = "index.md" if page.name == "README.md" else page.relative_to(DOCS).as_posix()
        _rewrite(page.read_text(), uri, copied)
    for path in sorted(copied):
        uri = f"{REPO_PREFIX}/{path.relative_to(ROOT).as_posix()}"
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    return _rewrite(markdown, page.file.src_uri, set())


class KerasDocstrings(griffe.Extension):
    """Griffe extension: reads the project's Keras-style docstrings as Google style.

    - Unindented `>>>` examples (an `Example:` line, then `>>>` lines at the
      docstring's own indentation, as Keras writes them) are fenced as
      `pycon`; Markdown would read them as prose (and `f["key"](...)` as a link).
    - An Args entry naming several parameters (`images_a, images_b: ...`) is
      split into one entry per parameter with the same text, so that the
      strict build still checks every name against the signature.
    """

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = split_grouped_args(fence_doctests(obj.docstring.value))


def fence_doctests(text):
    """Wraps each run of `>>>` lines and their output, up to a blank line, in a fence."""
    out, in_block = [], False
    for line in text.splitlines():
        starts = line.lstrip().startswith(">>>")
        if starts and not in_block:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_block = True
        elif in_block and not line.strip():
            out.append(f"{indent}```")
            in_block = False
        out.append(line)
    if in_block:
        out.append(f"{indent}```")
    return "\n".join(out)


GROUPED_ARG = re.compile(r"^(\s+)(\w+(?:, \w+)+): (.*)$")
SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Keyword Args|Keyword Arguments):\s*$")


def split_grouped_args(text):
    """`a, b: text` in an Args section -> `a: text` and `b: text`, continuation lines repeated."""
    lines, out, i, in_args = text.splitlines(), [], 0, False
    while i < len(lines):
        line = lines[i]
        if SECTION.match(line):
            in_args = True
        elif line.strip() and not line.startswith((" ", "\t")):
            in_args = False
        match = GROUPED_ARG.match(line) if in_args else None
        if not match:
            out.append(line)
            i += 1
            continue
        indent, names, first = match.groups()
        rest = []
        i += 1
        while i < len(lines) and len(lines[i]) - len(lines[i].lstrip()) > len(indent) and lines[i].strip():
            rest.append(lines[i])
            i += 1
        for name in names.split(", "):
            out.extend([f"{indent}{name}: {first}", *rest])
    return "\n".join(out)
