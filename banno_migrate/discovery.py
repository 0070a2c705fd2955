"""Find the files to lint, the way ruff does.

This runs on every pre-commit invocation and over trees of thousands of files,
so it imports nothing heavy, walks with ``os.scandir`` and prunes ignored
directories before descending into them.

Internally every path is tracked twice: the form to report (what the user typed,
joined with entry names, so a relative root stays relative) and a "real" POSIX
string (the root resolved once, then joined with entry names). The real form is
what ignore patterns and de-duplication work on; since symlinked directories are
never descended, it equals the resolved path of every walked file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


from banno_migrate.languages import FileTypes


_SKIPPED_DIR_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        "site-packages",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".banno-migrate-cache",
        ".eggs",
        "build",
        "dist",
        ".venv",
        "venv",
    }
)
_SKIPPED_DIR_SUFFIX = ".egg-info"
# banno-migrate's own configuration is YAML, but never a legacy integration's.
_OWN_FILE_NAMES = frozenset({".banno-migrate.yaml", ".banno-migrate.yml"})
# A directory holding one of these is a virtualenv or a cache, whatever its name.
_SKIP_MARKERS = frozenset({"pyvenv.cfg", "CACHEDIR.TAG"})
# pathspec names the group that matches the "/" after a directory component.
_DIR_MARK = "ps_d"


@dataclass(frozen=True)
class DiscoveryError:
    path: Path
    message: str


@dataclass(frozen=True)
class Discovered:
    files: list[Path]
    errors: list[DiscoveryError]
    # Where each file really is (`str(file.resolve())`), in the order of `files`: the walk knows it
    # already, and the cache and fix need it (a file's resolved path would cost an lstat per file).
    real_paths: list[str]


class _Patterns:
    """One gitignore-style pattern list, applied the way git applies it.

    pathspec's own matching answers "is this file ignored, ancestors included",
    which disagrees with git on directories (``*`` + ``!*/`` would prune every
    directory, ``data/**`` would prune ``data`` itself). A pruning walk only
    needs "does a pattern match this very path", so each pattern is tested
    against the path at its own level and the last matching one wins.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        patterns = []
        if lines:  # pathspec is imported only for a tree with patterns: a pre-commit run on one file has none
            from pathspec import GitIgnoreSpec

            patterns = [p for p in GitIgnoreSpec.from_lines(lines).patterns if p.include is not None]
        self._rules = [(p.regex, p.include, _DIR_MARK in p.regex.groupindex) for p in reversed(patterns)]
        # Most paths match no pattern at all: one C-level search settles those.
        union = "|".join(f"(?:{p.regex.pattern})" for p in patterns)
        self._any = re.compile(union.replace(f"(?P<{_DIR_MARK}>", "(?:"))

    def __bool__(self) -> bool:
        return bool(self._rules)

    def decide(self, rel: str, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a negation, None: no pattern matches."""
        subject = f"{rel}/" if is_dir else rel
        if not self._any.search(subject):
            return None
        for regex, ignore, has_mark in self._rules:
            if _matches_itself(regex, has_mark, subject, is_dir):
                return ignore
        return None


def _matches_itself(regex: re.Pattern[str], has_mark: bool, subject: str, is_dir: bool) -> bool:
    match = regex.search(subject)
    if match is None:
        return False
    mark_end = match.end(_DIR_MARK) if has_mark else -1
    if mark_end == -1:
        # ``dir/**`` consumes the "/" appended to a directory: it matches the
        # directory's contents, not the directory.
        return not is_dir or match.end() < len(subject)
    if mark_end == len(subject):
        return True
    # A directory mark before the end means an ancestor matched, and ancestors
    # were already judged at their own level. But search is leftmost, so an
    # unanchored ``*/`` stops at the first "/": give it the directory's own.
    late = regex.search(subject, len(subject) - 1) if is_dir else None
    return late is not None and late.end(_DIR_MARK) == len(subject)


_Layers = tuple[tuple[str, _Patterns], ...]


def _ignored(real: str, is_dir: bool, layers: _Layers) -> bool:
    # The deepest ignore file with an opinion wins, as in git.
    for prefix, patterns in reversed(layers):
        verdict = patterns.decide(real[len(prefix) :], is_dir)
        if verdict is not None:
            return verdict
    return False


def _real(path: Path | str) -> str:
    return Path(os.path.realpath(path)).as_posix()


def _native(real: str) -> str:
    return real if os.sep == "/" else str(Path(real))


def _prefix(real_dir: str) -> str:
    return real_dir if real_dir.endswith("/") else f"{real_dir}/"


def _join(real_dir: str, name: str) -> str:
    return _prefix(real_dir) + name


def _parent(real: str) -> str:
    return os.path.dirname(real) or real


def _describe(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _skipped_name(name: str) -> bool:
    return name in _SKIPPED_DIR_NAMES or name.endswith(_SKIPPED_DIR_SUFFIX)


def _points_to_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


class _Finder:
    def __init__(
        self,
        exclude: Sequence[str],
        exclude_root: Path | None,
        force_exclude: bool,
        file_types: FileTypes,
        respect_gitignore: bool,
    ) -> None:
        self._exclude = _Patterns(exclude)
        self._base = _real(exclude_root if exclude_root is not None else Path.cwd())
        self._force_exclude = force_exclude
        self._file_types = file_types
        self._respect_gitignore = respect_gitignore
        self._dir_root_prefixes: list[str] = []
        # resolved path -> (reached through a symlink, POSIX form, path to report)
        self._found: dict[str, tuple[bool, str, Path]] = {}
        self._errors: list[DiscoveryError] = []
        self._layer_cache: dict[str, _Layers] = {}
        self._repo_cache: dict[str, str | None] = {}
        self._marker_cache: dict[str, bool] = {}

    def run(self, paths: Sequence[Path]) -> Discovered:
        dir_roots: list[tuple[Path, str]] = []
        for path in paths:
            mode = self._root_mode(path)
            if mode is None:
                continue
            if stat.S_ISDIR(mode):
                dir_roots.append((path, _real(path)))
            elif stat.S_ISREG(mode):
                self._add_explicit_file(path)
            else:
                self._error(path, "not a regular file or directory")
        # Every root must be known before walking: symlinked files are judged against all of them.
        self._dir_root_prefixes = [_prefix(real) for _, real in dir_roots]
        for path, real in dir_roots:
            self._walk(path, real)
        found = sorted((posix, shown, real) for real, (_, posix, shown) in self._found.items())
        errors = sorted(self._errors, key=lambda error: error.path.as_posix())
        return Discovered(
            files=[shown for _, shown, _ in found], errors=errors, real_paths=[_native(real) for _, _, real in found]
        )

    def _root_mode(self, path: Path) -> int | None:
        try:
            return path.stat().st_mode
        except FileNotFoundError:
            self._error(path, "no such file or directory")
        except OSError as exc:
            self._error(path, _describe(exc))
        return None

    def _error(self, path: Path, message: str) -> None:
        self._errors.append(DiscoveryError(path=path, message=message))

    def _add(self, key: str, shown: Path, via_symlink: bool) -> None:
        # The same file reached twice keeps one deterministic name: the real
        # file over a link to it, then the smallest POSIX string.
        candidate = (via_symlink, shown.as_posix(), shown)
        current = self._found.get(key)
        if current is None or candidate[:2] < current[:2]:
            self._found[key] = candidate

    def _add_explicit_file(self, path: Path) -> None:
        # The leaf stays unresolved: patterns judge the name the user gave.
        leaf = _join(_real(path.parent), path.name)
        if self._force_exclude and self._force_excluded(leaf, is_dir=False):
            return
        self._add(_real(path), path, via_symlink=path.is_symlink())

    def _walk(self, root: Path, real_root: str) -> None:
        if self._force_exclude and self._force_excluded(real_root, is_dir=True):
            return
        # (directory as reported, real directory, ignore layers from above, may be skipped by a marker)
        stack = [(os.fspath(root), real_root, self._inherited_layers(real_root), False)]
        while stack:
            shown_dir, real_dir, inherited, skippable = stack.pop()
            entries = self._list(shown_dir)
            names = {entry.name for entry in entries}
            if skippable and not names.isdisjoint(_SKIP_MARKERS):
                continue
            layers = self._own_layers(real_dir, names, inherited)
            for entry in entries:
                real = _join(real_dir, entry.name)
                if entry.is_symlink():
                    self._visit_symlink(entry, real, layers)
                elif entry.is_dir():
                    if not _skipped_name(entry.name) and not self._ignored_entry(real, True, layers):
                        stack.append((entry.path, real, layers, True))
                elif self._wanted(entry.name) and entry.is_file():
                    if not self._ignored_entry(real, False, layers):
                        self._add(real, Path(entry.path), via_symlink=False)

    def _list(self, shown_dir: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(shown_dir) as entries:
                return list(entries)
        except OSError as exc:
            self._error(Path(shown_dir), _describe(exc))
            return []

    def _visit_symlink(self, entry: os.DirEntry[str], real: str, layers: _Layers) -> None:
        # Symlinked directories are never descended, which makes loops impossible.
        if not (self._wanted(entry.name) and _points_to_file(entry)):
            return
        target = _real(entry.path)
        # A link leading out of the scanned trees would lint files nobody asked for.
        if not any(target.startswith(prefix) for prefix in self._dir_root_prefixes):
            return
        if not self._ignored_entry(real, False, layers):
            self._add(target, Path(entry.path), via_symlink=True)

    def _wanted(self, name: str) -> bool:
        return name not in _OWN_FILE_NAMES and self._file_types.language_for(name) is not None

    def _ignored_entry(self, real: str, is_dir: bool, layers: _Layers) -> bool:
        return self._excluded(real, is_dir) or _ignored(real, is_dir, layers)

    def _rel_to_base(self, real: str) -> str | None:
        if real == self._base:
            return ""
        prefix = _prefix(self._base)
        return real[len(prefix) :] if real.startswith(prefix) else None

    def _excluded(self, real: str, is_dir: bool) -> bool:
        if not self._exclude:
            return False
        rel = self._rel_to_base(real)
        # Outside exclude_root a path has no relative form to match against.
        return bool(rel) and self._excluded_rel(rel, is_dir)

    def _excluded_rel(self, rel: str, is_dir: bool) -> bool:
        return self._exclude.decide(rel, is_dir) is True

    def _force_excluded(self, real: str, is_dir: bool) -> bool:
        if self._excluded_below_base(real, is_dir):
            return True
        return self._respect_gitignore and self._gitignored_path(real, is_dir)

    def _excluded_below_base(self, real: str, is_dir: bool) -> bool:
        """Apply the walk's directory rules to each ancestor of a named path, then to the path."""
        rel = self._rel_to_base(real)
        if not rel:
            return False
        parts = rel.split("/")
        for depth in range(1, len(parts) + (1 if is_dir else 0)):
            rel_dir = "/".join(parts[:depth])
            if (
                _skipped_name(parts[depth - 1])
                or self._excluded_rel(rel_dir, True)
                or self._has_marker(_join(self._base, rel_dir))
            ):
                return True
        return not is_dir and self._excluded_rel(rel, False)

    def _has_marker(self, real_dir: str) -> bool:
        if real_dir not in self._marker_cache:
            markers = (_join(real_dir, marker) for marker in _SKIP_MARKERS)
            self._marker_cache[real_dir] = any(os.path.exists(marker) for marker in markers)
        return self._marker_cache[real_dir]

    def _gitignored_path(self, real: str, is_dir: bool) -> bool:
        """What a walk from the repository root would decide for a named path."""
        parent = _parent(real)
        repo = self._repo_root(parent)
        if repo is None:
            return _ignored(real, is_dir, self._gitignore_layer(parent))
        chain = self._layer_chain(repo, parent)
        for (_, layers_above), (directory, _) in zip(chain, chain[1:]):
            if _ignored(directory, True, layers_above):
                return True
        return _ignored(real, is_dir, chain[-1][1])

    def _inherited_layers(self, real_root: str) -> _Layers:
        """Ignore layers from the repository root down to the walked root's parent."""
        if not self._respect_gitignore:
            return ()
        repo = self._repo_root(real_root)
        if repo is None or repo == real_root:
            return ()
        return self._layer_chain(repo, _parent(real_root))[-1][1]

    def _own_layers(self, real_dir: str, names: set[str], inherited: _Layers) -> _Layers:
        if not self._respect_gitignore:
            return ()
        # A nested repository does not inherit the ignore files of the outer one.
        layers = self._info_exclude(real_dir) if ".git" in names else inherited
        if ".gitignore" in names:
            layers += self._gitignore_layer(real_dir)
        return layers

    def _repo_root(self, real_dir: str) -> str | None:
        if real_dir not in self._repo_cache:
            parent = _parent(real_dir)
            if os.path.exists(_join(real_dir, ".git")):
                self._repo_cache[real_dir] = real_dir
            else:
                self._repo_cache[real_dir] = None if parent == real_dir else self._repo_root(parent)
        return self._repo_cache[real_dir]

    def _layer_chain(self, repo: str, bottom: str) -> list[tuple[str, _Layers]]:
        """(directory, layers in force inside it) for each directory from repo down to bottom."""
        directories = [repo]
        below = bottom[len(_prefix(repo)) :] if bottom != repo else ""
        for name in filter(None, below.split("/")):
            directories.append(_join(directories[-1], name))
        layers = self._info_exclude(repo)
        chain = []
        for directory in directories:
            layers += self._gitignore_layer(directory)
            chain.append((directory, layers))
        return chain

    def _gitignore_layer(self, real_dir: str) -> _Layers:
        return self._layer(_join(real_dir, ".gitignore"), real_dir)

    def _info_exclude(self, repo: str) -> _Layers:
        # A worktree's ".git" is a file; its info/exclude lives elsewhere and is not read.
        return self._layer(_join(repo, ".git/info/exclude"), repo)

    def _layer(self, ignore_file: str, real_dir: str) -> _Layers:
        if ignore_file not in self._layer_cache:
            patterns = self._read_patterns(ignore_file)
            self._layer_cache[ignore_file] = ((_prefix(real_dir), patterns),) if patterns else ()
        return self._layer_cache[ignore_file]

    def _read_patterns(self, ignore_file: str) -> _Patterns | None:
        try:
            # surrogateescape round-trips undecodable bytes the same way os.scandir names do.
            with open(ignore_file, encoding="utf-8", errors="surrogateescape") as handle:
                return _Patterns(handle.read().splitlines())
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as exc:
            self._error(Path(ignore_file), f"cannot read ignore file: {_describe(exc)}")
            return None


def discover(
    paths: Sequence[Path],
    *,
    exclude: Sequence[str] = (),
    exclude_root: Path | None = None,
    force_exclude: bool = False,
    file_types: FileTypes | None = None,
    respect_gitignore: bool = True,
) -> Discovered:
    """Expand command-line paths into the sorted, de-duplicated files to lint.

    Directories are walked; files named in ``paths`` are kept as given unless
    ``force_exclude`` subjects them to the same exclusion rules as walked files.
    Problems (missing paths, unreadable directories) are reported in
    ``errors`` without stopping the rest.
    """
    finder = _Finder(exclude, exclude_root, force_exclude, file_types or FileTypes(), respect_gitignore)
    return finder.run(paths)
