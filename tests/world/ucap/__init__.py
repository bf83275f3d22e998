"""云川县人民政府 on Jiangsu's consolidated ("ucap") platform: `.shtml` lists paged only by script.

What the portal reproduces (see `build.py`): path-prefixed sites (`/yunchuan/`, `/ycfgj/`), the
county's 年报 list `xxgk_list.shtml` → `xxgk_list_2.shtml` → `xxgk_list_3.shtml` and a department's
`list.shtml` → `list_2.shtml`, linked only through `createPageHTML('page_div', …)`; articles
`/{site}/gknb/{YYYYMM}/{32 hex}.shtml` with `<ucaptitle>`, `<publishtime>`, `<ucapcontent>`, the
名称/索引号/… metadata table and an iframe footer. Reports sit on every list page, so a crawler
that does not read the pager loses some.
"""

from __future__ import annotations

from tests.world import WorldPortal
from tests.world.ucap.build import expected
from tests.world.ucap.server import serve

PORTAL = WorldPortal(name="ucap", platform="ucap", serve=serve, expected=expected(), start="/")
