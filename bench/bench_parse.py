"""Benchmark: parse time per report against trafilatura's extraction time of the same page.

Generated reports (tests/reportgen.py) are rendered as realistic article pages (site chrome,
metadata, narrative, the three tables with spans and Word markup); each page is extracted with
`trafilatura.extract(html, output_format="markdown", include_tables=True, deduplicate=False)`
exactly as the crawler does, and the extractor's output is parsed with `parse_report`. Prints
both times, their ratio (the parser must cost less than half the extraction) and reports per
second on one core.

Then the text shapes that take the template aligner (`archive.parser.align`): reports torn and
misread as PDF extractors and OCR print them (`tests/mutations.py`), against the time the project
takes to turn a real PDF report into text (`../shared/real/*.pdf`, where present).
Not a test: run `python bench/bench_parse.py [N]`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import trafilatura  # noqa: E402
from mutations import mutate  # noqa: E402
from reportgen import generate, model  # noqa: E402

from archive.documents.pdf import read_pdf  # noqa: E402
from archive.parser import parse_html, parse_report  # noqa: E402
from archive.report import NotAReport  # noqa: E402

CHROME_HEAD = """<div class="header"><ul class="nav">{links}</ul></div>
<div class="location">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>"""
CHROME_FOOT = """<div class="footer"><p>主办单位：某某市人民政府办公室 承办单位：某某市大数据中心</p>
<p>网站标识码：3213220037 ICP备案号：苏ICP备12345678号</p><ul>{links}</ul></div>"""


def page(seed: int) -> str:
    """A report page as a government CMS serves it: chrome around the article."""
    gen = generate(random.Random(f"bench-{seed}"), "html")
    links = "".join(f'<li><a href="/col/col{i}/index.html">栏目{i}</a></li>' for i in range(40))
    html = gen.text.replace("<body>", "<body>" + CHROME_HEAD.format(links=links), 1)
    return html.replace("</body>", CHROME_FOOT.format(links=links) + "</body>", 1)


def main(n: int = 200) -> None:
    pages = [page(i) for i in range(n)]
    # Warm up both (OpenCC dictionaries, lxml, trafilatura's caches).
    extracted = [
        trafilatura.extract(p, output_format="markdown", include_tables=True, deduplicate=False)
        for p in pages[:5]
    ]
    for text in extracted:
        parse_report(text or "")
    t_extract, t_parse, t_html = [], [], []
    failures = 0
    for html in pages:
        t0 = time.perf_counter()
        text = trafilatura.extract(html, output_format="markdown", include_tables=True, deduplicate=False)
        t1 = time.perf_counter()
        try:
            parse_report(text or "")
        except NotAReport:
            failures += 1
        t2 = time.perf_counter()
        parse_html(html)
        t3 = time.perf_counter()
        t_extract.append(t1 - t0)
        t_parse.append(t2 - t1)
        t_html.append(t3 - t2)
    ext, par, htm = statistics.mean(t_extract), statistics.mean(t_parse), statistics.mean(t_html)
    med_ext, med_par = statistics.median(t_extract) * 1000, statistics.median(t_parse) * 1000
    verdict = "ok" if par / ext < 0.5 else "TOO SLOW"
    print(f"reports:                         {n} (not parsed as reports: {failures})")
    print(f"trafilatura.extract per page:    {ext * 1000:7.2f} ms (median {med_ext:.2f})")
    print(f"parse_report per report:         {par * 1000:7.2f} ms (median {med_par:.2f})")
    print(f"parse_html per page (direct):    {htm * 1000:7.2f} ms")
    print(f"ratio parse / extract:           {par / ext:7.3f}  (must be < 0.5: {verdict})")
    print(f"parse_report throughput, 1 core: {1 / par:7.1f} reports/s")
    print(f"extract + parse, 1 core:         {1 / (ext + par):7.1f} pages/s")

    aligned(max(n // 2, 20))


def aligned(n: int) -> None:
    """Parse time of torn and OCR'd report text (the aligner's path) against PDF text extraction."""
    pdf_times = []
    for pdf in sorted((ROOT.parent / "shared" / "real").glob("*.pdf")):
        body = pdf.read_bytes()
        t0 = time.perf_counter()
        read_pdf(body)
        pdf_times.append(time.perf_counter() - t0)
    for shape in ("torn", "ocr"):
        texts = []
        for seed in range(n):
            rng = random.Random(f"bench-{shape}-{seed}")
            texts.append(mutate(model(rng), shape, rng).text)
        times = []
        for text in texts:
            t0 = time.perf_counter()
            parse_report(text)
            times.append(time.perf_counter() - t0)
        mean, worst = statistics.mean(times), max(times)
        print(f"parse_report, {shape + ' text:':12}      {mean * 1000:7.2f} ms (max {worst * 1000:.0f} ms, "
              f"{1 / mean:.1f} reports/s)")  # fmt: skip
        if pdf_times:
            print(f"  ratio to PDF text extraction:  {mean / statistics.mean(pdf_times):7.3f}")
    if pdf_times:
        print(f"PDF → text per real report:      {statistics.mean(pdf_times) * 1000:7.2f} ms "
              f"({len(pdf_times)} PDFs in ../shared/real)")  # fmt: skip
    else:
        print("PDF → text: ../shared/real absent, no ratio")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
