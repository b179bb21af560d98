// Tells the server the browser's time zone (cookie "tz", read by
// common.timezones.ViewerTimeZoneMiddleware) so that staff pages show times in it. When the
// page was rendered in another zone, a GET page reloads once; nothing reloads when cookies are
// refused (the cookie would not read back) or the page answered a form.
(function () {
  "use strict";
  var script = document.currentScript;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  // IANA names (Asia/Tokyo, America/Argentina/Buenos_Aires) are cookie-safe as they are.
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) {
    return;
  }
  function cookieZone() {
    var match = document.cookie.match(/(?:^|;\s*)tz=([^;]*)/);
    return match ? match[1] : null;
  }
  if (cookieZone() === zone) {
    return;
  }
  document.cookie =
    "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  var served = script ? script.getAttribute("data-zone") : null;
  var mayReload = script && script.hasAttribute("data-may-reload");
  if (cookieZone() === zone && served && served !== zone && mayReload) {
    window.location.reload();
  }
})();
