"""OCR of scanned reports: image-only PDFs, JPEG/PNG/TIFF attachments, 图片版 pages.

`engine` recognises a page (RapidOCR, offline) after `scan` has dropped the red seal, levelled the
skew and found the table ruling; `layout` writes the boxes as lines and grid rows, the shape of a
PDF's text layer, for the parser. The recognition runs in its own sandboxed child process
(`ocr_sandbox`: more memory than a converter, a longer time limit), only for report candidates.
"""

from __future__ import annotations

import atexit
import os
import threading

from archive.sandbox import Sandbox

_sandbox: Sandbox | None = None
_lock = threading.Lock()


def ocr_sandbox() -> Sandbox:
    """The process's OCR child: `NIANBAO_OCR_MEMORY_MB` (3072) of address space (the models and
    ONNX Runtime's arenas), `NIANBAO_OCR_TIMEOUT` (900) seconds per document."""
    global _sandbox
    with _lock:
        if _sandbox is None:
            memory = int(os.environ.get("NIANBAO_OCR_MEMORY_MB") or 3072) * 2**20
            timeout = float(os.environ.get("NIANBAO_OCR_TIMEOUT") or 900)
            _sandbox = Sandbox(memory=memory, timeout=timeout)
            atexit.register(_sandbox.close)
        return _sandbox
