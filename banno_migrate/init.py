"""`banno-migrate init`: a commented configuration, so the first run is one command."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from banno_migrate.catalog import Catalog

def detect_institution_hosts(files: Iterable[Path], catalog: Catalog) -> Counter[str]:
    """Hosts of the code's own Banno endpoint URLs (the legacy issuer's hosts excluded)."""
    domain = catalog.domain
    pattern = re.compile(domain.endpoint_host_pattern.encode())
    marker = domain.api_path_prefix.encode()
    hosts: Counter[str] = Counter()
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if marker in data:
            hosts.update(host.decode().lower() for host in pattern.findall(data))
    for host in domain.legacy_issuer_hosts:
        hosts.pop(host, None)
    return hosts


def render_config(hosts: Counter[str]) -> str:
    if hosts:
        (host, count), *others = hosts.most_common()
        also = f"; also seen: {', '.join(name for name, _ in others)}" if others else ""
        issuer = f"issuer-host: {host}  # detected: {count} endpoint URL{'s' if count != 1 else ''} in the code{also}"
    else:
        issuer = "# issuer-host: digital.example-bank.com  # not detected: no Banno endpoint URL with a literal host"
    return f"""\
# banno-migrate configuration. `banno-migrate rule` lists the rules; `banno-migrate rule CODE` explains one.
# Paths and globs are relative to this file. Command-line options win over it.

# Rules to run (codes or prefixes) and to skip. Default: every rule.
# select: [BM]
# ignore: [BM007]

# Paths to skip, gitignore-style, on top of .gitignore.
exclude: []

# Rules to skip for some paths.
# per-file-ignores:
#   "tests/**": [BM002]

# The institution host of the v0 issuer, https://<host>/a/consumer/api/v0/oidc:
# it lets `fix` replace the legacy issuer (BM002).
{issuer}

# More custom claim names read by their bare name (BM005); Banno's are built in.
# extra-claims: [my_claim]
"""
