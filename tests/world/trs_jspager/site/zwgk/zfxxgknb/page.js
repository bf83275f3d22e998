/* 栏目分页脚本 —— 由WCM发布栏目时生成，请勿手工修改 */
/* 栏目：政府信息公开年报  channelid=64218 */
var PAGE_TOTAL = 3;
var PAGE_NAME = "index";
var PAGE_EXT = "html";

function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
	if (_nPageCount == null || _nPageCount <= 1) {
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	document.write("<span class=\"pg-total\">共" + _nPageCount + "页</span>&nbsp;");
	if (nCurrIndex == 0) {
		document.write("<span class=\"pg-disabled\">首页</span>&nbsp;<span class=\"pg-disabled\">上一页</span>&nbsp;");
	} else {
		document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;");
		if (nCurrIndex == 1)
			document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">上一页</a>&nbsp;");
		else
			document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt + "\">上一页</a>&nbsp;");
	}
	for (var i = 0; i < _nPageCount; i++) {
		if (i == nCurrIndex)
			document.write("<span class=\"pg-current\">" + (i + 1) + "</span>&nbsp;");
		else if (i == 0)
			document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">" + (i + 1) + "</a>&nbsp;");
		else
			document.write("<a href=\"" + _sPageName + "_" + i + "." + _sPageExt + "\">" + (i + 1) + "</a>&nbsp;");
	}
	if (nCurrIndex == _nPageCount - 1) {
		document.write("<span class=\"pg-disabled\">下一页</span>&nbsp;<span class=\"pg-disabled\">尾页</span>");
	} else {
		document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\">下一页</a>&nbsp;");
		document.write("<a href=\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\">尾页</a>");
	}
}

(function () {
	var m = /_(\d+)\.html?$/.exec(window.location.pathname);
	createPageHTML(PAGE_TOTAL, m ? parseInt(m[1], 10) : 0, PAGE_NAME, PAGE_EXT);
})();
