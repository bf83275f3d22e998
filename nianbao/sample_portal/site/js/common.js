/* common.js: page helpers for the article and listing templates */
function doZoom(size) {
  var el = document.getElementById("zoom");
  if (el) { el.style.fontSize = size + "px"; }
}
function setBg(color) {
  var el = document.getElementById("zoom");
  if (el) { el.style.backgroundColor = color; }
}
/* TRS listing pager: writes 首页/上一页/1..n/下一页/尾页 for index.html, index_1.html ... */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  function pageUrl(i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; }
  var html = [];
  html.push('<a href="' + pageUrl(0) + '">首页</a>');
  if (_nCurrIndex > 0) { html.push('<a href="' + pageUrl(_nCurrIndex - 1) + '">上一页</a>'); }
  for (var i = 0; i < _nPageCount; i++) {
    if (i == _nCurrIndex) { html.push('<span class="current">' + (i + 1) + '</span>'); }
    else { html.push('<a href="' + pageUrl(i) + '">' + (i + 1) + '</a>'); }
  }
  if (_nCurrIndex < _nPageCount - 1) { html.push('<a href="' + pageUrl(_nCurrIndex + 1) + '">下一页</a>'); }
  html.push('<a href="' + pageUrl(_nPageCount - 1) + '">尾页</a>');
  document.write('<div class="page-trs">' + html.join(" ") + '</div>');
}
