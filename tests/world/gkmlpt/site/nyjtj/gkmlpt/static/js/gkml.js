/* gkml.js: the catalogue list. Rows come from the list API, 100 a request, shown 20 a page. */
(function ($) {
    var C = window._CONFIG;
    function rowUrl(item) {
        if (item.url) { return item.url; }
        var one = Math.floor(item.id / 1000000), two = Math.floor(item.id / 1000);
        return C.APP_URL + '/gkmlpt/content/' + one + '/' + two + '/post_' + item.id + '.html';
    }
    function day(ts) { var d = new Date(ts * 1000); return d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate(); }
    function load(catId, page) {
        $('.loading').show();
        $.getJSON(C.APP_URL + '/gkmlpt/api/all/' + catId + '?page=' + page + '&sid=' + C.SID, function (data) {
            var tbody = $('.table-content tbody').empty();
            $.each(data.articles, function (i, item) {
                tbody.append('<tr><td class="first-td"><a target="_blank" href="' + rowUrl(item) + '">' + item.title +
                    '</a></td><td>' + day(item.create_time) + '</td><td>' + day(item.date) + '</td><td>' +
                    (item.document_number || '') + '</td></tr>');
            });
            $('.loading').hide();
        });
    }
    $(function () { load(C.curId || 0, 1); });
})(jQuery);
