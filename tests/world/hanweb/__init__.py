"""江北市人民政府 on 大汉 Hanweb JCMS: column lists in embedded XML and a POSTed paging proxy.

What the portal reproduces (see `build.py` and `server.py`): the 政府信息公开年报 column
`/col/col1229710421/index.html` embeds records 1–10 in `<script type="text/xml"><datastore>` and
configures `jpage` (perPage 5, groupSize 2, totalRecord 22, `ajaxParam` form); records 11–20 and
21–22 exist only behind `POST /module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=5`,
and `index_1.html` is a 404. Reports sit in all three groups, so a crawler that does not page
through the proxy loses some. One report is GBK with `<meta charset="gb2312">` and no HTTP charset.
"""

from __future__ import annotations

from tests.world import WorldPortal
from tests.world.hanweb.build import expected
from tests.world.hanweb.server import serve

PORTAL = WorldPortal(
    name="hanweb",
    platform="hanweb",
    serve=serve,
    expected=expected(),
    start="/",
)
