/* Seteli public comparison site: the service page's calculator, filters, list and map.
 *
 * Without JavaScript the page already has page 1 of the list (sorted by name) and links to the
 * other pages. With it, the list is drawn from data/{service}.json: filtered, sorted, the first
 * page_size rows and a "show more" button; the own share follows the calculator; the map shows
 * the filtered sites clustered (supercluster): only the clusters and sites in view are DOM
 * markers, so 50,000 sites draw as fast as 50. The DOM ids and classes are a contract
 * (docs/site.md): the browser test and benchmark rely on them.
 */
(function () {
  "use strict";

  var cfgEl = document.getElementById("site-config");
  if (!cfgEl) return;
  function mark(name) {
    if (window.performance && performance.mark) performance.mark("seteli:" + name);
  }
  mark("script");
  var cfg = JSON.parse(cfgEl.textContent);
  var M = cfg.messages;
  var Money = window.SeteliMoney;
  var lang = cfg.lang;

  function $(id) {
    return document.getElementById(id);
  }
  var el = {
    content: $("content"),
    value: $("voucher-value"),
    valueError: $("voucher-value-error"),
    preset: $("voucher-preset"),
    filters: $("filters"),
    calculator: $("calculator"),
    area: $("area"),
    sort: $("sort"),
    count: $("result-count"),
    list: $("results"),
    more: $("show-more"),
    noResults: $("no-results"),
    note: $("own-share-note"),
    loadError: $("load-error"),
    map: $("map"),
  };

  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return ESC[c];
    });
  }
  function safeId(id) {
    return /^[A-Za-z0-9_.~-]+$/.test(id) && id.charAt(0) !== "." ? id : encodeURIComponent(id);
  }
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }
  function count(key, n) {
    if (n === 1 && M[key + "_one"]) return M[key + "_one"];
    return fmt(M[key], { n: n });
  }

  // ------------------------------------------------------------------ words (as render.py)

  var helsinkiDay = (function () {
    var cache = {};
    var f;
    try {
      f = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit" });
    } catch (e) {
      f = null;
    }
    return function (iso) {
      var key = iso.slice(0, 13); // the hour decides the Helsinki date
      var day = cache[key];
      if (day === undefined) {
        var d = new Date(iso);
        day = f ? f.format(d) : iso.slice(0, 10); // YYYY-MM-DD
        cache[key] = day;
      }
      return day;
    };
  })();
  function dayText(ymd) {
    if (lang === "en") return ymd;
    var p = ymd.split("-");
    return parseInt(p[2], 10) + "." + parseInt(p[1], 10) + "." + p[0];
  }
  function daysBetween(a, b) {
    return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
  }
  var availCache = {};
  var qualityCache = {};
  function availabilityText(av) {
    if (!av) return M.avail_unknown;
    var key = av.starts_within_days + "|" + av.free_places + "|" + av.updated_at.slice(0, 13);
    var text = availCache[key];
    if (text === undefined) text = availCache[key] = availabilityWords(av);
    return text;
  }
  function availabilityWords(av) {
    var days = av.starts_within_days;
    var text;
    if (days === null || days === undefined) text = M.avail_queue;
    else if (days === 0) text = M.avail_now;
    else text = count("avail_days", days);
    if (days !== null && days !== undefined && av.free_places) text += ", " + count("free_places", av.free_places);
    var updated = helsinkiDay(av.updated_at);
    var when = dayText(updated);
    var stale = daysBetween(updated, cfg.today) > cfg.stale_days;
    return text + " (" + fmt(stale ? M.stale : M.updated, { date: when }) + ")";
  }
  function qualityText(q) {
    var key = q.thanks + "|" + q.complaints + "|" + q.reclamations + "|" + q.answered_share;
    var text = qualityCache[key];
    if (text === undefined) text = qualityCache[key] = qualityWords(q);
    return text;
  }
  function qualityWords(q) {
    if (!(q.thanks || q.complaints || q.reclamations)) return M.no_feedback;
    var parts = [count("thanks_n", q.thanks), count("complaints_n", q.complaints), count("reclamations_n", q.reclamations)];
    if (q.answered_share !== null && q.answered_share !== undefined) {
      var pct = Money.decimalCents(Number(q.answered_share).toFixed(2)); // "0.90" -> 90 (hundredths)
      parts.push(fmt(M.answered_pct, { pct: pct }));
    }
    return parts.join(", ");
  }
  function perUnit(cents, unit) {
    return fmt(M.per_unit, { price: Money.formatMoney(cents, lang), unit: unit });
  }

  // ------------------------------------------------------------------ state

  var all = []; // one item per site, in name order
  var filtered = [];
  var shown = 0;
  var contentIndex = 0;
  var valueCents = null;

  function currentContent() {
    return cfg.contents[contentIndex];
  }

  var collator = window.Intl && Intl.Collator ? new Intl.Collator(lang) : null;
  var LAST = { "å": "z\u0001", "ä": "z\u0002", "ö": "z\u0003" };
  function nameKey(name) {
    return name.toLowerCase().replace(/[åäö]/g, function (c) {
      return LAST[c];
    });
  }

  // One item per site; what only the shown rows need (escaped text, words, prices in cents) is
  // worked out when first needed: with 50,000 sites only 50 rows are drawn at first.
  function prepare(data) {
    var out = [];
    var entries = data.entries || [];
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      var common = { raw: e, pid: e.provider_id, key: nameKey(e.name), attrs: e.search_attributes || {}, areas: e.areas || [] };
      var sites = e.sites;
      if (sites.length > 1) {
        sites = sites.slice().sort(function (a, b) {
          var x = nameKey(a.name), y = nameKey(b.name);
          return x < y ? -1 : x > y ? 1 : 0;
        });
      }
      for (var j = 0; j < sites.length; j++) {
        var s = sites[j];
        out.push({ e: common, s: s, lat: s.lat, lon: s.lon, order: out.length, p: null, text: null });
      }
    }
    // "name" order: Finnish alphabetical (... x y z å ä ö), then the provider, then the site (as
    // the list without JavaScript). Plain string keys: a collator is 5-10 times slower at 50,000.
    out.sort(function (a, b) {
      var x = a.e, y = b.e;
      if (x !== y) {
        if (x.key !== y.key) return x.key < y.key ? -1 : 1;
        if (x.pid !== y.pid) return x.pid < y.pid ? -1 : 1;
      }
      return a.order - b.order;
    });
    for (var n = 0; n < out.length; n++) out[n].order = n;
    return out;
  }

  function info(c) {
    if (c.name === undefined) {
      var e = c.raw;
      var q = e.quality;
      var av = e.availability;
      c.name = esc(e.name);
      c.rawName = e.name;
      c.safe = safeId(e.provider_id);
      c.availRank = !av ? 1e7 : av.starts_within_days === null || av.starts_within_days === undefined ? 1e6 : av.starts_within_days;
      c.quality = (q.thanks + 1) / (q.thanks + q.complaints + q.reclamations + 2); // most thanks relative to all feedback first
      c.availText = availabilityText(av);
      c.qualityText = qualityText(q);
    }
    return c;
  }

  function priceOf(it, cid) {
    var p = it.p;
    if (!p) {
      p = it.p = {};
      var prices = it.s.prices;
      for (var c in prices) p[c] = Money.decimalCents(prices[c]);
    }
    var v = p[cid];
    return v === undefined ? null : v;
  }

  function siteText(it) {
    if (it.text === null) {
      var s = it.s;
      var place = [s.postal_code, s.city].filter(Boolean).join(" ");
      var address = [s.street, place].filter(Boolean).join(", ");
      it.text = esc([s.name, address].filter(Boolean).join(", "));
      it.sid = safeId(s.id);
    }
    return it.text;
  }

  // ------------------------------------------------------------------ filter and sort

  function checkedValues() {
    var wanted = [];
    if (!el.filters) return wanted;
    var sets = el.filters.querySelectorAll("fieldset[data-attribute]");
    for (var i = 0; i < sets.length; i++) {
      var attr = sets[i].getAttribute("data-attribute");
      var boxes = sets[i].querySelectorAll("input[type=checkbox]:checked");
      for (var j = 0; j < boxes.length; j++) wanted.push([attr, boxes[j].value]);
    }
    return wanted;
  }

  function applyFilters() {
    var wanted = checkedValues();
    var area = el.area ? el.area.value : "";
    filtered = all.filter(function (item) {
      var e = item.e;
      for (var i = 0; i < wanted.length; i++) {
        var have = e.attrs[wanted[i][0]];
        if (!have || have.indexOf(wanted[i][1]) < 0) return false;
      }
      return !area || e.areas.indexOf(area) >= 0;
    });
  }

  var BIG = 1e12;
  function sortRows() {
    var how = el.sort ? el.sort.value : "name";
    var cid = currentContent().id;
    var content = currentContent();
    var key;
    if (how === "price") {
      key = function (it) {
        var p = priceOf(it, cid);
        return p === null ? BIG : p;
      };
    } else if (how === "own-share") {
      key = function (it) {
        var p = priceOf(it, cid);
        if (p === null) return BIG;
        var own = Money.ownShareCents(content, p, valueCents);
        return own === null ? p : own; // no value given: by price
      };
    } else if (how === "availability") {
      key = function (it) {
        return info(it.e).availRank;
      };
    } else if (how === "quality") {
      key = function (it) {
        return -info(it.e).quality;
      };
    } else {
      key = null;
    }
    if (!key) {
      filtered.sort(function (a, b) {
        return a.order - b.order;
      });
      return;
    }
    for (var i = 0; i < filtered.length; i++) filtered[i].k = key(filtered[i]);
    filtered.sort(function (a, b) {
      return a.k - b.k || a.order - b.order;
    });
  }

  // ------------------------------------------------------------------ the list

  var pieces = cfg.row; // literal, slot, literal, ... (the renderer's row, filled here)
  function rowHtml(it) {
    var content = currentContent();
    var e = info(it.e);
    var p = priceOf(it, content.id);
    var has = p !== null;
    var own = has ? Money.ownShareCents(content, p, valueCents) : null;
    var v = {
      pid: e.safe,
      name: e.name,
      site: siteText(it),
      sid: it.sid,
      price: has ? perUnit(p, content.unit) : M.no_price,
      own: !has ? M.no_price : own === null ? M.give_value : perUnit(own, content.unit),
      avail: e.availText,
      quality: e.qualityText,
    };
    var out = "";
    for (var i = 0; i < pieces.length; i++) out += i % 2 ? v[pieces[i]] : pieces[i];
    return out;
  }

  function renderList(keep) {
    var n = Math.min(filtered.length, Math.max(cfg.page_size, keep || 0));
    var html = "";
    for (var i = 0; i < n; i++) html += rowHtml(filtered[i]);
    el.list.innerHTML = html;
    shown = n;
    updateMore();
    el.count.textContent = count("sites_n", filtered.length);
    if (el.noResults) {
      el.noResults.hidden = filtered.length > 0;
      if (!filtered.length) el.noResults.textContent = M.no_results;
    }
  }

  function showMore() {
    var start = shown;
    var end = Math.min(filtered.length, shown + cfg.page_size);
    var html = "";
    for (var i = start; i < end; i++) html += rowHtml(filtered[i]);
    el.list.insertAdjacentHTML("beforeend", html);
    shown = end;
    updateMore();
    var first = el.list.children[start];
    var link = first && first.querySelector("a.provider-link");
    if (link) link.focus();
  }

  function updateMore() {
    if (el.more) el.more.hidden = shown >= filtered.length;
  }

  // ------------------------------------------------------------------ the calculator

  function setPresets() {
    if (!el.preset) return;
    var values = currentContent().values;
    var html = '<option value="">' + esc(el.preset.options[0] ? el.preset.options[0].text : "") + "</option>";
    for (var i = 0; i < values.length; i++) {
      html += '<option value="' + values[i] + '">' + esc(Money.formatMoney(values[i], lang)) + "</option>";
    }
    el.preset.innerHTML = html;
    el.preset.disabled = values.length === 0;
  }

  function syncPreset() {
    if (!el.preset) return;
    var v = valueCents === null ? "" : String(valueCents);
    var found = false;
    for (var i = 0; i < el.preset.options.length; i++) if (el.preset.options[i].value === v) found = true;
    el.preset.value = found ? v : "";
  }

  function readValue() {
    var text = el.value.value;
    var cents = text.trim() === "" ? null : Money.parseCents(text);
    var bad = text.trim() !== "" && cents === null;
    el.value.setAttribute("aria-invalid", bad ? "true" : "false");
    if (el.valueError) el.valueError.textContent = bad ? M.value_invalid : "";
    valueCents = cents;
    updateNote();
  }

  function updateNote() {
    if (!el.note) return;
    var content = currentContent();
    el.note.textContent =
      valueCents === null && !content.customer_pays && !content.no_own_share
        ? cfg.note_unknown
        : fmt(cfg.note_with, { value: perUnit(valueCents || 0, content.unit) });
  }

  // ------------------------------------------------------------------ the map

  var map = null;
  var layer = null;
  var index = null;
  var points = [];

  function initMap() {
    if (!el.map || !window.L || !window.Supercluster) return false;
    var maxZoom = cfg.tiles.max_zoom || 18;
    map = L.map(el.map, {
      center: cfg.center,
      zoom: 7,
      maxZoom: maxZoom,
      scrollWheelZoom: false, // the page scrolls past the map; zoom with the buttons, keys or pinch
      keyboard: true,
    });
    if (cfg.tiles.url) {
      L.tileLayer(cfg.tiles.url, { attribution: cfg.tiles.attribution, maxZoom: maxZoom }).addTo(map);
    }
    layer = L.layerGroup().addTo(map);
    map.on("moveend", drawMarkers);
    return true;
  }

  function plot(items) {
    if (!map) return;
    points = [];
    var features = [];
    var south = 90, west = 180, north = -90, east = -180;
    for (var i = 0; i < items.length; i++) {
      var it = items[i];
      if (typeof it.lat !== "number" || typeof it.lon !== "number") continue;
      features.push({ type: "Feature", properties: { i: points.length }, geometry: { type: "Point", coordinates: [it.lon, it.lat] } });
      points.push(it);
      if (it.lat < south) south = it.lat;
      if (it.lat > north) north = it.lat;
      if (it.lon < west) west = it.lon;
      if (it.lon > east) east = it.lon;
    }
    // Clusters from zoom 4 (all of Finland) to 11 (a town); closer in, every site is its own
    // marker. Each zoom level costs a pass over the points: 4-11 loads 5-8 times faster than 0-17.
    var top = Math.min(11, Math.max(0, (cfg.tiles.max_zoom || 18) - 1));
    index = new Supercluster({ radius: 60, minZoom: Math.min(4, top), maxZoom: top, minPoints: 2 });
    mark("features");
    index.load(features);
    mark("clustered");
    if (points.length) {
      map.fitBounds([[south, west], [north, east]], { padding: [24, 24], maxZoom: 14, animate: false });
    }
    drawMarkers();
    el.map.setAttribute("data-marker-count", String(points.length));
    el.map.setAttribute("data-ready", "true");
  }

  function drawMarkers() {
    if (!map || !index) return;
    var b = map.getBounds();
    var zoom = Math.round(map.getZoom());
    var clusters = index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom);
    layer.clearLayers();
    var first = null;
    for (var i = 0; i < clusters.length; i++) {
      var c = clusters[i];
      var ll = [c.geometry.coordinates[1], c.geometry.coordinates[0]];
      var marker;
      if (c.properties.cluster) {
        var n = c.properties.point_count;
        var label = fmt(M.cluster_title, { n: n });
        marker = L.marker(ll, {
          icon: L.divIcon({ className: "cluster-marker", html: String(n), iconSize: [44, 44] }),
          title: label,
          keyboard: true,
          riseOnHover: true,
        });
        var zoom = zoomInto(c.properties.cluster_id, ll);
        marker.on("click", zoom);
        marker.on("keypress", keyZoom(zoom)); // Leaflet opens popups with Enter; a cluster zooms in
        layer.addLayer(marker);
        labelMarker(marker, label);
      } else {
        var it = points[c.properties.i];
        var title = it.e.raw.name + ", " + it.s.name;
        marker = L.marker(ll, {
          icon: L.divIcon({ className: "site-marker", html: "", iconSize: [44, 44], iconAnchor: [22, 40], popupAnchor: [0, -36] }),
          title: title,
          keyboard: true,
          riseOnHover: true,
        });
        marker.bindPopup(popupFor(it), { maxWidth: 280 });
        layer.addLayer(marker);
        labelMarker(marker, title);
      }
      if (!first) first = marker;
    }
    if (refocus && first && first.getElement()) {
      refocus = false;
      first.getElement().focus();
    }
  }

  var refocus = false; // a cluster was opened with the keyboard: focus the first marker after
  function keyZoom(zoom) {
    return function (ev) {
      var key = ev.originalEvent && (ev.originalEvent.key || ev.originalEvent.keyCode);
      if (key === "Enter" || key === 13 || key === " " || key === 32) {
        if (ev.originalEvent.preventDefault) ev.originalEvent.preventDefault();
        refocus = true;
        zoom();
      }
    };
  }

  function labelMarker(marker, label) {
    var node = marker.getElement && marker.getElement();
    if (node) node.setAttribute("aria-label", label);
  }

  function zoomInto(id, ll) {
    return function () {
      var z = Math.min(index.getClusterExpansionZoom(id), map.getMaxZoom());
      map.setView(ll, z);
    };
  }

  function popupFor(it) {
    return function () {
      var content = currentContent();
      var e = info(it.e);
      var p = priceOf(it, content.id);
      var has = p !== null;
      var own = has ? Money.ownShareCents(content, p, valueCents) : null;
      var text = siteText(it);
      return (
        '<div class="popup"><p class="popup-name"><strong>' + e.name + "</strong><br>" + text + "</p>" +
        "<p>" + esc(M.price) + ": " + (has ? perUnit(p, content.unit) : esc(M.no_price)) + "<br>" +
        esc(M.own_share) + ": " + (!has ? esc(M.no_price) : own === null ? esc(M.give_value) : perUnit(own, content.unit)) + "</p>" +
        '<p><a href="' + cfg.provider_base + e.safe + ".html#site-" + it.sid + '">' + esc(M.popup_link) + "</a></p></div>"
      );
    };
  }

  // ------------------------------------------------------------------ wiring

  function refresh(opts) {
    if (opts.filter) applyFilters();
    sortRows();
    renderList(opts.keep ? shown : 0);
    mark("list");
    if (opts.filter) plot(filtered);
  }

  function start(data) {
    mark("data");
    all = prepare(data);
    mark("prepared");
    var pag = document.querySelectorAll("nav.pagination");
    for (var i = 0; i < pag.length; i++) pag[i].hidden = true;
    if (el.more) el.more.addEventListener("click", showMore);
    refresh({ filter: true });
    mark("drawn");
    if (el.filters) {
      el.filters.addEventListener("change", function (ev) {
        var t = ev.target;
        refresh({ filter: !(t && t.id === "sort") });
      });
      el.filters.addEventListener("submit", function (ev) {
        ev.preventDefault();
      });
    }
  }

  function wireCalculator() {
    if (!el.calculator) return;
    el.calculator.addEventListener("submit", function (ev) {
      ev.preventDefault();
    });
    if (el.content) {
      el.content.addEventListener("change", function () {
        contentIndex = Math.max(0, el.content.selectedIndex);
        setPresets();
        var values = currentContent().values;
        el.value.value = values.length ? Money.inputText(values[0], lang) : "";
        readValue();
        syncPreset();
        if (all.length) refresh({ keep: true });
      });
    }
    el.value.addEventListener("input", function () {
      readValue();
      syncPreset();
      if (all.length) refresh({ keep: true });
    });
    if (el.preset) {
      el.preset.addEventListener("change", function () {
        if (el.preset.value === "") return;
        el.value.value = Money.inputText(parseInt(el.preset.value, 10), lang);
        readValue();
        if (all.length) refresh({ keep: true });
      });
    }
  }

  // The server-rendered list already shows own shares for the default value: keep the
  // calculator's state in step before the data arrives.
  contentIndex = el.content ? Math.max(0, el.content.selectedIndex) : 0;
  if (el.value) {
    valueCents = Money.parseCents(el.value.value);
    if (el.preset) {
      // The preset's options were rendered as decimal strings ("32.00"): use cents from here on.
      setPresets();
      syncPreset();
    }
    wireCalculator();
  }

  function failed() {
    if (el.loadError) {
      el.loadError.textContent = M.loading_failed;
      el.loadError.hidden = false;
    }
  }

  var request = window.fetch ? fetch(cfg.data_url, { credentials: "same-origin" }) : null;
  initMap(); // while the data loads
  mark("map-init");
  if (!request) {
    failed();
    return;
  }
  request
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      mark("response");
      return r.json();
    })
    .then(start)
    .catch(function (err) {
      failed();
      if (window.console) console.error(err);
    });
})();
