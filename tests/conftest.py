"""Suite-wide settings.

OCR readings are cached on disk by page pixels, engine and OCR code (`archive.ocr.cache`): every
crawl of the sample portal meets the same 图片版 pictures, and only the first one in a run pays for
reading them (about 5 s a page). A test that needs the engine itself to run reads pictures that
no other test has (its own seeded scans), so the cache never hides what it checks.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("NIANBAO_OCR_CACHE", os.path.join(tempfile.gettempdir(), "nianbao-test-ocr-cache"))
