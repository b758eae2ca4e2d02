"""The static files' storage in production: whitenoise's hashed names with gzip variants only (ADR 0038, 0041).

whitenoise also writes brotli variants whenever the ``brotli`` package can be imported, and locust (the load
extra, ADR 0041) brings it in: compressing the vendor files (140 MB, mostly ECharts maps) at brotli's slowest
level took 244 s of ``collectstatic`` against 15 s for gzip alone, on every install, upgrade and deploy test.
gzip is what ADR 0038 decided; the proxy in front may add brotli on the wire.
"""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(**{**kwargs, "use_brotli": False})
