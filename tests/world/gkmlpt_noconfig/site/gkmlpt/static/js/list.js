/*!
 * gkmlpt 政府信息公开目录 列表组件 v2.3.1
 * 站点参数取自引用本脚本的 <script id="_gkml_list_" sid=".." classify=".." pagesize=".."> 标签
 */
(function (window, document) {
  'use strict';
  var me = document.getElementById('_gkml_list_');
  if (!me) { return; }
  var sid = me.getAttribute('sid');
  var classify = me.getAttribute('classify') || '0';
  var pageSize = parseInt(me.getAttribute('pagesize') || '100', 10);
  var root = (me.getAttribute('src') || '').split('/gkmlpt/')[0];
  var tbody = document.querySelector('#gkml-table tbody');
  var pager = document.getElementById('gkml-pagination');
  var crumb = document.querySelector('#router-content .crumb .text');
  var loading = document.querySelector('#router-content .loading');

  function pad(n) { return n < 10 ? '0' + n : '' + n; }
  function fmtDate(ts) {
    if (!ts) { return ''; }
    var d = new Date(ts * 1000);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }
  function esc(s) {
    return String(s == null ? '' : s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
      .replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function postUrl(a) {
    if (a.url) { return a.url; }
    var id = a.id;
    return root + '/gkmlpt/content/' + Math.floor(id / 1e6) + '/' + Math.floor(id / 1e3) + '/post_' + id + '.html';
  }
  function draw(data, cid, page) {
    var html = [];
    var list = data.articles || [];
    for (var i = 0; i < list.length; i++) {
      var a = list[i];
      html.push('<tr><td class="first-td"><a href="' + esc(postUrl(a)) + '" target="_blank" title="' + esc(a.title) + '">' +
        esc(a.title) + '</a></td><td>' + fmtDate(a.date) + '</td><td>' + fmtDate(a.created_at_ts || a.date) +
        '</td><td>' + esc(a.document_number || '') + '</td></tr>');
    }
    if (!list.length) { html.push('<tr><td colspan="4" class="empty">暂无数据</td></tr>'); }
    tbody.innerHTML = html.join('');
    if (loading) { loading.style.display = 'none'; }
    var total = data.total || 0;
    var pages = Math.max(1, Math.ceil(total / pageSize));
    var bar = ['<span class="total">共 ' + total + ' 条</span>'];
    for (var p = 1; p <= pages; p++) {
      bar.push(p === page ? '<span class="current">' + p + '</span>'
        : '<a href="javascript:;" data-page="' + p + '">' + p + '</a>');
    }
    pager.innerHTML = bar.join(' ');
    var links = pager.getElementsByTagName('a');
    for (var k = 0; k < links.length; k++) {
      links[k].onclick = function () { load(cid, parseInt(this.getAttribute('data-page'), 10)); };
    }
  }
  function load(cid, page) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', root + '/gkmlpt/api/all/' + cid + '?page=' + page + '&sid=' + encodeURIComponent(sid), true);
    xhr.setRequestHeader('Accept', 'application/json, text/javascript, */*; q=0.01');
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      if (xhr.status === 200) {
        draw(JSON.parse(xhr.responseText), cid, page);
      } else {
        tbody.innerHTML = '<tr><td colspan="4" class="empty">数据加载失败</td></tr>';
      }
    };
    xhr.send(null);
  }
  var tree = document.querySelectorAll('#tree a[data-classify]');
  for (var t = 0; t < tree.length; t++) {
    tree[t].onclick = function () {
      if (crumb) { crumb.innerHTML = esc(this.innerText || this.textContent); }
      load(this.getAttribute('data-classify'), 1);
      return false;
    };
  }
  load(classify, 1);
})(window, document);
