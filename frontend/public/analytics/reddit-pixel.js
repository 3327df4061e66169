// Reddit Pixel bootstrap. The page injects this file only after the visitor chose
// "Accept analytics" (app/src/consent/browser.rs); it is never referenced before that.
// The pixel id comes from the data-pixel-id attribute the page sets from configuration.
(function (w, d, me) {
  var id = me && me.getAttribute("data-pixel-id");
  if (!id || w.rdt) return;
  var rdt = (w.rdt = function () {
    if (rdt.sendEvent) rdt.sendEvent.apply(rdt, arguments);
    else rdt.callQueue.push(arguments);
  });
  rdt.callQueue = [];
  var tag = d.createElement("script");
  tag.src = "https://www.redditstatic.com/ads/pixel.js";
  tag.async = true;
  tag.setAttribute("data-codexapi-analytics", "reddit");
  d.head.appendChild(tag);
  rdt("init", id);
  rdt("track", "PageVisit");
})(window, document, document.currentScript);
