// The situation map: Jilin's prefectures and counties as a vector basemap, incidents, resources,
// cameras, stations and the user's layers on top. Talks to Python only through the QWebChannel
// object "bridge"; loads only app:// URLs (the profile blocks and logs anything else).
"use strict";

(function () {
  const GRADES = ["I", "II", "III", "IV"];  // gravest first
  // Soft fills, one per prefecture (by code order), so neighbours are told apart.
  const FILLS = ["#f4ecd6", "#dcebd8", "#f0dde6", "#d9e6f3", "#f5e1cc",
                 "#e3dcf0", "#d5ebe6", "#eef0d2", "#ecdcd3"];
  const COUNTY_ZOOM = 9;  // county names from this zoom on
  // Resource kinds: colour and the one character in the marker.
  const KIND_STYLE = {
    rescue_team: {colour: "#2e7d32", glyph: "队"},
    depot: {colour: "#6d4c41", glyph: "储"},
    shelter: {colour: "#00897b", glyph: "避"},
    hospital: {colour: "#c2185b", glyph: "医"},
    hazard: {colour: "#6a1b9a", glyph: "危"},
    protection_target: {colour: "#455a64", glyph: "护"},
    camera: {colour: "#1565c0", glyph: "摄"},
    station: {colour: "#00838f", glyph: "测"},
  };
  const RESOURCE_KINDS = ["rescue_team", "depot", "shelter", "hospital", "hazard",
                          "protection_target"];

  let bridge = null;
  let map = null;
  let clusters = null;
  let texts = {grades: {}, kinds: {}, language: "zh"};
  const markers = new Map();  // incident id -> marker
  const kindGroups = {};  // kind -> cluster group (resources, cameras, stations)
  const kindCounts = {};  // kind -> markers shown
  const resourceMarkers = new Map();  // "kind-id" -> marker
  const userLayers = new Map();  // user layer id -> {layer, kind, name, count}
  const divisionLayers = new Map();  // division code -> polygon layer
  const warningAreas = new Map();  // "warning-<id>" -> {group, p}
  let warningGroup = null;
  let layerControl = null;
  let vectorBase = null;
  let legend = null;
  let note = null;
  let banner = null;
  let picking = false;
  let pickMarker = null;
  let measure = null;  // {points, line, tooltip, markers} while measuring
  let nearLayer = null;
  let highlight = null;
  let viewTimer = null;

  function gradeKey(grade) {
    return GRADES.includes(grade) ? grade : "none";
  }

  function colon() {
    return texts.colon || "：";  // ": " in English
  }

  function fail(message) {
    if (bridge) bridge.report_error(String(message));
  }

  async function getJson(url) {
    const reply = await fetch(url);
    if (!reply.ok) throw new Error(url + ": " + reply.status);
    return reply.json();
  }

  async function getCsv(url) {
    const reply = await fetch(url);
    if (!reply.ok) throw new Error(url + ": " + reply.status);
    const lines = (await reply.text()).trim().split(/\r?\n/);
    const head = lines.shift().split(",");
    return lines.map((line) => {
      const cells = line.split(",");
      const row = {};
      head.forEach((name, i) => { row[name] = cells[i]; });
      return row;
    });
  }

  function el(tag, cls, text, parent) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (parent) parent.appendChild(node);
    return node;
  }

  function formatDistance(metres) {
    if (metres < 1000) return Math.round(metres) + " " + (texts.m || "m");
    const km = metres / 1000;
    return (km < 10 ? km.toFixed(2) : km.toFixed(1)) + " " + (texts.km || "km");
  }

  // -- basemap ---------------------------------------------------------------------------------

  function placeLabel(row, county) {
    const text = texts.language === "en" && row.name_en ? row.name_en : row.name;
    return L.tooltip({
      pane: "labels",  // under the markers
      permanent: true,
      direction: "center",
      interactive: false,
      className: county ? "place-label county-label" : "place-label",
    }).setLatLng([Number(row.lat), Number(row.lon)]).setContent(text);
  }

  function drawBasemap(prefectures, counties, divisions) {
    map.createPane("userTiles").style.zIndex = 250;
    map.createPane("counties").style.zIndex = 410;
    map.createPane("prefectureLines").style.zIndex = 420;
    map.createPane("warnings").style.zIndex = 425;  // over the borders, under user shapes
    map.createPane("userShapes").style.zIndex = 430;
    map.createPane("labels").style.zIndex = 450;
    map.getPane("labels").style.pointerEvents = "none";
    const order = prefectures.features.map((f) => f.properties.code).sort();
    vectorBase = L.geoJSON(prefectures, {
      interactive: false,
      style: (f) => ({
        stroke: false,
        fillColor: FILLS[order.indexOf(f.properties.code) % FILLS.length],
        fillOpacity: 1,
      }),
    }).addTo(map);
    const countyLines = L.geoJSON(counties, {
      pane: "counties",
      interactive: false,
      style: {color: "#9aa7b0", weight: 0.8, fill: false},
    }).addTo(map);
    const prefectureLines = L.geoJSON(prefectures, {
      pane: "prefectureLines",
      interactive: false,
      style: {color: "#607d8b", weight: 1.8, fill: false},
    }).addTo(map);
    for (const group of [countyLines, prefectureLines]) {
      group.eachLayer((layer) => divisionLayers.set(layer.feature.properties.code, layer));
    }
    const labels = L.layerGroup([], {pane: "labels"}).addTo(map);
    for (const row of divisions) {
      if (row.level === "prefecture" || row.level === "county") {
        placeLabel(row, row.level === "county").addTo(labels);
      }
    }
    const bounds = vectorBase.getBounds();
    map.fitBounds(bounds, {padding: [8, 8]});
    map.setMaxBounds(bounds.pad(0.5));
    const zoomed = () => {
      map.getContainer().classList.toggle("hide-counties", map.getZoom() < COUNTY_ZOOM);
    };
    map.on("zoomend", zoomed);
    zoomed();
  }

  // -- incidents -------------------------------------------------------------------------------

  function clusterIcon(cluster) {
    let gravest = "none";
    for (const m of cluster.getAllChildMarkers()) {
      const key = m.options.gradeKey;
      if (key !== "none" && (gravest === "none" || GRADES.indexOf(key) < GRADES.indexOf(gravest))) {
        gravest = key;
      }
    }
    const n = cluster.getChildCount();
    const size = n < 10 ? 30 : n < 100 ? 36 : 44;
    const span = document.createElement("span");
    span.textContent = String(n);
    span.style.lineHeight = (size - 6) + "px";
    return L.divIcon({
      html: span,
      className: "incident-cluster grade-" + gravest,
      iconSize: [size, size],
    });
  }

  function actionLink(box, text, handler) {
    const a = el("a", "popup-action", text, box);
    a.href = "#";
    a.addEventListener("click", (e) => {
      e.preventDefault();
      handler();
    });
    return a;
  }

  function incidentPopup(p) {
    const box = el("div", "incident-popup");
    el("div", "title", p.title, box);
    el("div", "row", p.grade_label + " · " + p.status_label, box);
    el("div", "row", p.time, box);
    if (p.approximate && texts.approximate) el("div", "note", texts.approximate, box);
    if (!texts.readOnly) {
      const actions = el("div", "actions", null, box);
      actionLink(actions, texts.near, () => bridge.near_incident(p.id));
    }
    return box;
  }

  const iconCache = new Map();  // class name -> one shared icon

  function incidentIcon(key, approximate) {
    const name = "incident-marker grade-" + key + (approximate ? " approximate" : "");
    if (!iconCache.has(name)) {
      iconCache.set(name, L.divIcon({className: name, iconSize: key === "none" ? [14, 14] : [18, 18]}));
    }
    return iconCache.get(name);
  }

  // Incidents at the very same point (several reports placed at one division's point) are put
  // on a small ring around it, so each can still be clicked once the clusters open up.
  function spread(features) {
    const byPoint = new Map();
    for (const f of features) {
      const key = f.geometry.coordinates.join(",");
      if (!byPoint.has(key)) byPoint.set(key, []);
      byPoint.get(key).push(f);
    }
    const places = new Map();
    for (const group of byPoint.values()) {
      const [lon, lat] = group[0].geometry.coordinates;
      if (group.length === 1) {
        places.set(group[0], [lat, lon]);
        continue;
      }
      const radius = Math.max(60, group.length * 15);  // metres
      group.forEach((f, i) => {
        const angle = (2 * Math.PI * i) / group.length;
        places.set(f, [
          lat + (radius * Math.sin(angle)) / 111320,
          lon + (radius * Math.cos(angle)) / (111320 * Math.cos((lat * Math.PI) / 180)),
        ]);
      });
    }
    return places;
  }

  function showIncidents(json) {
    const data = JSON.parse(json);
    clusters.clearLayers();
    markers.clear();
    const layers = [];
    const places = spread(data.features);
    for (const f of data.features) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const key = gradeKey(p.grade);
      const marker = L.marker(places.get(f), {
        icon: incidentIcon(key, p.approximate),
        title: p.title,
        gradeKey: key,
        incidentId: p.id,
        lonLat: [lon, lat],  // where the incident is (the marker may sit on a ring around it)
        // Above the resource markers; the gravest on top.
        zIndexOffset: 10000 + 1000 * (GRADES.length - (GRADES.indexOf(key) + 1)),
        interactive: !texts.readOnly,
        keyboard: !texts.readOnly,
      });
      if (!texts.readOnly) {
        marker.bindPopup(() => incidentPopup(p), {closeButton: true, autoPanPadding: [20, 20]});
        marker.on("click", () => { if (!picking && !measure) bridge.select_incident(p.id); });
      }
      markers.set(p.id, marker);
      layers.push(marker);
    }
    clusters.addLayers(layers);
    const shown = data.features.length;
    note.textContent = data.omitted
      ? (texts.omitted || "").replace("{shown}", shown).replace("{omitted}", data.omitted)
      : "";
    // Report once the browser has painted the markers (the benchmark times this).
    requestAnimationFrame(() => requestAnimationFrame(() => bridge.report_markers(markers.size)));
  }

  // -- resources, cameras, stations ------------------------------------------------------------

  function kindIcon(kind, extra) {
    const style = KIND_STYLE[kind] || {colour: "#607d8b", glyph: "?"};
    const span = document.createElement("span");
    span.textContent = (texts.glyphs || {})[kind] || style.glyph;  // a letter in English
    return L.divIcon({
      html: span,
      className: "kind-marker kind-" + kind + (extra ? " " + extra : ""),
      iconSize: [22, 22],
    });
  }

  function kindClusterIcon(kind) {
    return (cluster) => {
      const n = cluster.getChildCount();
      const span = document.createElement("span");
      span.textContent = String(n);
      return L.divIcon({
        html: span,
        className: "kind-cluster kind-" + kind,
        iconSize: [28, 28],
      });
    };
  }

  function kindGroup(kind) {
    if (!kindGroups[kind]) {
      kindGroups[kind] = L.markerClusterGroup({
        iconCreateFunction: kindClusterIcon(kind),
        showCoverageOnHover: false,
        maxClusterRadius: 36,
        disableClusteringAtZoom: 12,
      });
      if (!texts.readOnly) kindGroups[kind].addTo(map);
    }
    return kindGroups[kind];
  }

  function resourcePopup(p) {
    const box = el("div", "resource-popup");
    el("div", "title", p.name, box);
    el("div", "row", p.kind_label + (p.type ? " · " + p.type : ""), box);
    if (p.capacity) el("div", "row", (texts.capacity || "") + colon() + p.capacity, box);
    const contact = [p.contact, p.phone].filter((x) => x).join(" ");
    if (contact) el("div", "row", (texts.contact || "") + colon() + contact, box);
    if (p.state) el("div", "row", p.state, box);
    if (p.value) el("div", "row", p.value, box);
    const actions = el("div", "actions", null, box);
    if (p.phone) actionLink(actions, texts.call + " " + p.phone, () => bridge.call(p.phone));
    if (p.kind === "camera") actionLink(actions, texts.show, () => bridge.show_camera(p.name));
    return box;
  }

  function pointMarker(f) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const extra = p.alarm ? "alarm" : (p.enabled === false ? "disabled" : "");
    const icon = kindIcon(p.kind, extra);
    if (p.colour) {  // a monitoring station: the colour of its state or alarm level
      icon.options.html.style.background = p.colour;
      icon.options.html.style.borderRadius = "3px";
    }
    const marker = L.marker([lat, lon], {icon, title: p.name, colour: p.colour || ""});
    marker.bindPopup(() => resourcePopup(p), {autoPanPadding: [20, 20]});
    return marker;
  }

  function showKinds(json, kinds) {
    const data = JSON.parse(json);
    const byKind = {};
    for (const kind of kinds) byKind[kind] = [];
    for (const key of Array.from(resourceMarkers.keys())) {  // markers of these kinds go
      if (kinds.some((kind) => key.startsWith(kind + "-"))) resourceMarkers.delete(key);
    }
    for (const f of data.features) {
      const kind = f.properties.kind;
      if (!byKind[kind]) continue;
      const marker = pointMarker(f);
      byKind[kind].push(marker);
      if (f.id) resourceMarkers.set(String(f.id), marker);
    }
    for (const kind of kinds) {
      const group = kindGroup(kind);
      group.clearLayers();
      group.addLayers(byKind[kind]);
      kindCounts[kind] = byKind[kind].length;
    }
  }

  function showResources(json) {
    for (const key of Array.from(resourceMarkers.keys())) {
      if (!key.startsWith("camera-") && !key.startsWith("station-")) resourceMarkers.delete(key);
    }
    showKinds(json, RESOURCE_KINDS);
  }

  // -- warnings in force -----------------------------------------------------------------------

  function warningPopup(p) {
    const box = el("div", "warning-popup");
    el("div", "title", p.headline, box);
    el("div", "row", p.level_label + (p.exercise ? " · " + p.label.split(" ")[0] : ""), box);
    if (p.area) el("div", "row", p.area, box);
    el("div", "row", (texts.validity || "") + colon() + p.validity, box);
    if (p.sender) el("div", "row", (texts.sender || "") + colon() + p.sender, box);
    return box;
  }

  function openWarningPopup(p, latlng) {
    L.popup({autoPanPadding: [20, 20]}).setLatLng(latlng).setContent(warningPopup(p)).openOn(map);
  }

  // Each warning: its area filled in the level colour, the outline of the union of its
  // divisions (dashed for an exercise), and a label with the level and the event.
  function showWarnings(json) {
    const data = JSON.parse(json);
    warningGroup.clearLayers();
    warningAreas.clear();
    for (const f of data.features) {
      const p = f.properties;
      const fill = L.geoJSON(f, {
        pane: "warnings",
        interactive: !texts.readOnly,
        style: {stroke: false, fillColor: p.colour, fillOpacity: 0.3},
      });
      const line = L.polyline(p.outline.map((ring) => ring.map(([lon, lat]) => [lat, lon])), {
        pane: "warnings",
        interactive: !texts.readOnly,
        color: p.colour,
        weight: 2.5,
        opacity: 0.95,
        dashArray: p.exercise ? "8 6" : null,
      });
      const group = L.featureGroup([fill, line]);
      if (!texts.readOnly) {
        // A click while picking a location or measuring goes on to the map's tools.
        group.on("click", (e) => {
          if (picking) pick(e.latlng);
          else if (measure) measureAdd(e.latlng);
          else openWarningPopup(p, e.latlng);
        });
      }
      const centre = fill.getBounds().getCenter();
      const label = L.tooltip({
        pane: "labels",
        permanent: true,
        direction: "center",
        interactive: false,
        className: "warning-label" + (p.exercise ? " exercise" : ""),
      }).setLatLng(centre).setContent(escapeHtml(p.label));
      group.addTo(warningGroup);
      label.addTo(warningGroup);
      warningAreas.set(String(f.id), {group, p, centre, label});
    }
  }

  // -- user layers -----------------------------------------------------------------------------

  // Simplestyle properties (stroke, fill, marker-color) and an optional icon URL; an icon on
  // another host is requested by the browser and blocked (and logged) by the profile.
  function userStyle(f) {
    const p = f.properties || {};
    return {
      pane: "userShapes",
      color: p.stroke || "#e65100",
      weight: Number(p["stroke-width"] || 2),
      opacity: Number(p["stroke-opacity"] || 0.9),
      fillColor: p.fill || "#ff9800",
      fillOpacity: Number(p["fill-opacity"] || 0.2),
    };
  }

  function userPoint(f, latlng) {
    const p = f.properties || {};
    const icon = p.icon || p["marker-icon"] || p.iconUrl;
    if (typeof icon === "string" && icon) {
      return L.marker(latlng, {icon: L.icon({iconUrl: icon, iconSize: [24, 24]}), pane: "userShapes"});
    }
    return L.circleMarker(latlng, {
      pane: "userShapes",
      radius: 6,
      color: "#fff",
      weight: 1.5,
      fillColor: p["marker-color"] || "#e65100",
      fillOpacity: 0.95,
    });
  }

  function userPopup(layer) {
    const p = (layer.feature && layer.feature.properties) || {};
    const box = el("div", "resource-popup");
    const title = p.name || p.title || p.NAME || p["名称"];
    if (title) el("div", "title", title, box);
    let rows = 0;
    for (const [k, v] of Object.entries(p)) {
      if (rows >= 8 || v === null || typeof v === "object" || /^(stroke|fill|marker|icon)/.test(k)) continue;
      el("div", "row", k + colon() + v, box);
      rows += 1;
    }
    return box;
  }

  function showUserLayers(json) {
    const list = JSON.parse(json);
    for (const entry of userLayers.values()) {
      map.removeLayer(entry.layer);
      if (layerControl) layerControl.removeLayer(entry.layer);
    }
    userLayers.clear();
    let tileShown = false;
    for (const item of list) {
      let layer;
      let count = 0;
      if (item.kind === "tiles") {
        const options = {
          pane: "userTiles",
          minZoom: 1,
          maxZoom: 18,
          minNativeZoom: item.minzoom,
          maxNativeZoom: item.maxzoom,
        };
        if (item.bounds) {
          options.bounds = [[item.bounds[1], item.bounds[0]], [item.bounds[3], item.bounds[2]]];
        }
        layer = L.tileLayer(item.url, options);
        if (layerControl) layerControl.addBaseLayer(layer, item.name);
        if (!tileShown) {
          tileShown = true;
          map.removeLayer(vectorBase);
          layer.addTo(map);
        }
      } else {
        layer = L.geoJSON(item.data, {style: userStyle, pointToLayer: userPoint});
        layer.bindPopup(userPopup);
        count = layer.getLayers().length;
        if (layerControl) layerControl.addOverlay(layer, item.name);
        layer.addTo(map);
      }
      userLayers.set(item.id, {layer, kind: item.kind, name: item.name, count});
    }
    if (!tileShown && !map.hasLayer(vectorBase)) {
      vectorBase.addTo(map);
    }
    fitControls();  // the layer list grew or shrank
  }

  // -- controls --------------------------------------------------------------------------------

  function swatchLabel(cls, text) {
    return "<span class='swatch " + cls + "'></span>" + L.Util.template("{t}", {t: escapeHtml(text)});
  }

  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function addControls() {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    const credit = L.control({position: "bottomleft"});
    credit.onAdd = () => {
      const box = L.DomUtil.create("div", "map-credit");
      box.textContent = texts.boundaries || "";
      return box;
    };
    credit.addTo(map);
    if (texts.readOnly) {
      // The hall: the grade counts are next to the map, so no legend; the province stays
      // fitted to whatever size the panel gets.
      note = document.createElement("div");
      const whole = vectorBase.getBounds();
      map.on("resize", () => map.fitBounds(whole, {padding: [8, 8], animate: false}));
      return;
    }
    legend = L.control({position: "bottomright"});
    legend.onAdd = () => {
      const box = L.DomUtil.create("div", "map-box legend");
      const head = L.DomUtil.create("div", "heading", box);
      head.textContent = texts.legend || "";
      for (const key of [...GRADES, "none"]) {
        const row = L.DomUtil.create("div", "", box);
        L.DomUtil.create("span", "swatch grade-" + key, row);
        row.appendChild(document.createTextNode(texts.grades[key] || key));
      }
      const warnHead = L.DomUtil.create("div", "heading", box);
      warnHead.textContent = texts.warningLegend || "";
      for (const level of ["1", "2", "3", "4", "exercise"]) {
        const row = L.DomUtil.create("div", "", box);
        L.DomUtil.create("span", "swatch area warning-" + level, row);
        const text = level === "exercise" ? texts.exercise : (texts.warningLevels || {})[level];
        row.appendChild(document.createTextNode(text || level));
      }
      note = L.DomUtil.create("div", "map-note", box);
      return box;
    };
    legend.addTo(map);
    banner = L.control({position: "topleft"});
    banner.onAdd = () => {
      const box = L.DomUtil.create("div", "map-banner");
      box.style.display = "none";
      return box;
    };
    banner.addTo(map);
    // The layer switcher doubles as the legend of the point layers.
    const base = {};
    base[texts.basemap || "basemap"] = vectorBase;
    const overlays = {};
    overlays[swatchLabel("grade-II", texts.incidents || "")] = clusters;
    overlays[swatchLabel("area warning-2", texts.warnings || "")] = warningGroup;
    for (const kind of [...RESOURCE_KINDS, "camera", "station"]) {
      overlays[swatchLabel("kind-" + kind, texts.kinds[kind] || kind)] = kindGroup(kind);
    }
    layerControl = L.control.layers(base, overlays, {collapsed: false, position: "topright"});
    layerControl.addTo(map);
    map.on("resize", fitControls);
    fitControls();
  }

  // A short map (the bottom dock of a 1366×768 screen): the layer list and the legend would
  // cover each other and most of the map, so both fold, the list into Leaflet's layers button
  // and the legend into its heading; either opens while the pointer is over it.
  function fitControls() {
    if (!legend || !layerControl) return;
    const layers = layerControl.getContainer();
    const key = legend.getContainer();
    layers.classList.remove("folded");
    key.classList.remove("folded");
    layerControl.options.collapsed = false;
    layerControl.expand();
    const height = map.getSize().y;
    const fold = layers.offsetHeight + key.offsetHeight + 30 > height;
    if (fold) {
      layerControl.options.collapsed = true;  // so that a new layer does not open it again
      layerControl.collapse();
    }
    layers.classList.toggle("folded", fold);
    key.classList.toggle("folded", fold);
    const room = Math.max(80, height - 24) + "px";  // opened, each scrolls inside the map
    layers.querySelector(".leaflet-control-layers-list").style.maxHeight = room;
    key.style.maxHeight = room;
  }

  function setBanner(text) {
    const box = banner.getContainer();
    box.textContent = text || "";
    box.style.display = text ? "" : "none";
  }

  // -- pick mode, measuring, near, search ------------------------------------------------------

  function setPicking(on) {
    picking = !!on;
    if (picking && measure) setMeasuring(false);
    map.getContainer().classList.toggle("picking", picking);
    setBanner(picking ? texts.pick : "");
    if (picking) map.doubleClickZoom.disable(); else if (!measure) map.doubleClickZoom.enable();
  }

  function pick(latlng) {
    if (pickMarker) map.removeLayer(pickMarker);
    pickMarker = L.marker(latlng, {icon: L.divIcon({className: "pick-marker", iconSize: [16, 16]}),
                                   interactive: false}).addTo(map);
    setPicking(false);
    bridge.pick(latlng.lng, latlng.lat);
  }

  function setMeasuring(on) {
    if (measure) {
      measure.group.remove();
      measure = null;
    }
    if (on) {
      if (picking) setPicking(false);
      const group = L.layerGroup().addTo(map);
      measure = {points: [], group, line: L.polyline([], {color: "#d84315", weight: 3, dashArray: "6 4"}).addTo(group), done: false};
      map.doubleClickZoom.disable();
      setBanner(texts.measure);
    } else {
      if (!picking) map.doubleClickZoom.enable();
      setBanner("");
    }
    map.getContainer().classList.toggle("measuring", !!on);
  }

  function measureTotal() {
    let total = 0;
    for (let i = 1; i < measure.points.length; i += 1) {
      total += measure.points[i - 1].distanceTo(measure.points[i]);
    }
    return total;
  }

  function measureAdd(latlng) {
    if (measure.done) {
      setMeasuring(true);
    }
    measure.points.push(latlng);
    measure.line.setLatLngs(measure.points);
    L.circleMarker(latlng, {radius: 4, color: "#d84315", fillColor: "#fff", fillOpacity: 1, weight: 2})
      .addTo(measure.group);
    const total = measureTotal();
    if (measure.points.length > 1) {
      L.tooltip({permanent: true, direction: "right", className: "measure-label", offset: [8, 0]})
        .setLatLng(latlng).setContent(formatDistance(total)).addTo(measure.group);
    }
    bridge.report_measure(total);
  }

  function showNear(cmd) {
    if (nearLayer) {
      nearLayer.remove();
      nearLayer = null;
    }
    if (cmd.clear) return;
    const [lon, lat] = cmd.center;
    nearLayer = L.layerGroup().addTo(map);
    const circle = L.circle([lat, lon], {
      radius: cmd.km * 1000, color: "#1565c0", weight: 1.5, fillOpacity: 0.06, interactive: false,
    }).addTo(nearLayer);
    L.marker([lat, lon], {icon: L.divIcon({className: "near-centre", iconSize: [14, 14]}), interactive: false})
      .addTo(nearLayer);
    for (const item of cmd.items) {
      L.circleMarker([item.lat, item.lon], {
        radius: 15, color: "#1565c0", weight: 2, fill: false, interactive: false,
      }).addTo(nearLayer);
    }
    map.fitBounds(circle.getBounds(), {padding: [20, 20]});
  }

  function flash(layer) {
    if (highlight) highlight.remove();
    highlight = layer.addTo(map);
    setTimeout(() => { if (highlight === layer) { layer.remove(); highlight = null; } }, 6000);
  }

  function goDivision(code) {
    const polygon = divisionLayers.get(code);
    if (!polygon) return false;
    map.fitBounds(polygon.getBounds(), {padding: [30, 30]});
    flash(L.geoJSON(polygon.feature, {
      interactive: false, style: {color: "#d84315", weight: 3, fillOpacity: 0.08},
    }));
    return true;
  }

  function fly(cmd) {
    const zoom = cmd.zoom || Math.max(map.getZoom(), 12);
    map.setView([cmd.lat, cmd.lon], zoom);
    flash(L.circleMarker([cmd.lat, cmd.lon], {radius: 18, color: "#d84315", weight: 3, fill: false, interactive: false}));
  }

  function onCommand(json) {
    const cmd = JSON.parse(json);
    if (cmd.op === "pick") setPicking(cmd.on);
    else if (cmd.op === "measure") setMeasuring(cmd.on);
    else if (cmd.op === "near") showNear(cmd);
    else if (cmd.op === "division") goDivision(cmd.code);
    else if (cmd.op === "fly") fly(cmd);
  }

  function reportView() {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => {
      const b = map.getBounds();
      bridge.report_view(b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), map.getZoom());
    }, 100);
  }

  async function start(channel) {
    bridge = channel.objects.bridge;
    texts = JSON.parse(await new Promise((resolve) => bridge.texts(resolve)));
    map = L.map("map", {
      attributionControl: false,
      zoomSnap: 0.25,
      minZoom: 5,
      maxZoom: 18,
      preferCanvas: false,
      zoomControl: !texts.readOnly,
    });
    const [prefectures, counties, divisions] = await Promise.all([
      getJson("app://geodata/jilin_prefectures.geojson"),
      getJson("app://geodata/jilin_counties.geojson"),
      getCsv("app://geodata/jilin_divisions.csv"),
    ]);
    drawBasemap(prefectures, counties, divisions);
    clusters = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      // Individual markers from zoom 14 (street level) on: clustering 10,000 markers for
      // every zoom up to 18 took twice as long.
      disableClusteringAtZoom: 14,
    }).addTo(map);
    warningGroup = L.featureGroup().addTo(map);
    addControls();
    map.on("click", (e) => {
      if (picking) pick(e.latlng);
      else if (measure) measureAdd(e.latlng);
    });
    map.on("dblclick", () => { if (measure) measure.done = true; });
    document.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      if (picking) {
        setPicking(false);
        bridge.cancel_pick();
      } else if (measure) {
        measure.done = true;
      }
    });
    map.on("moveend", reportView);
    bridge.incidents_changed.connect(showIncidents);
    bridge.resources_changed.connect(showResources);
    bridge.cameras_changed.connect((json) => showKinds(json, ["camera"]));
    bridge.stations_changed.connect((json) => showKinds(json, ["station"]));
    bridge.user_layers_changed.connect(showUserLayers);
    bridge.warnings_changed.connect(showWarnings);
    bridge.command.connect(onCommand);
    window.dutyMap.ready = true;
    bridge.report_ready();
    reportView();
  }

  // For tests, the benchmark and Python: the state of the map, and actions by id.
  window.dutyMap = {
    ready: false,
    markerCount: () => markers.size,
    incidentIds: () => Array.from(markers.keys()),
    countyCount: () => {
      let n = 0;
      map.getPane("counties").querySelectorAll("path").forEach(() => { n += 1; });
      return n;
    },
    kindCounts: () => Object.assign({}, kindCounts),
    // The warning areas shown: id, fill colour, dashed border, label, polygon parts, and
    // whether the layer is switched on.
    warningAreas: () => Array.from(warningAreas.entries()).map(([key, e]) => {
      const [fill, line] = e.group.getLayers();
      const paths = [];  // the SVG paths drawn for the fill
      fill.eachLayer((l) => { if (l._path && l._path.isConnected) paths.push(l._path); });
      const border = line._path && line._path.isConnected ? line._path : null;
      const label = e.label.getElement();
      return {
        id: key,
        warningId: e.p.id,
        colour: paths.length ? paths[0].getAttribute("fill") : null,
        opacity: paths.length ? Number(paths[0].getAttribute("fill-opacity")) : null,
        border: border ? border.getAttribute("stroke") : null,
        dashed: !!(border && border.getAttribute("stroke-dasharray")),
        label: label && label.isConnected ? label.textContent : null,
        parts: fill.toGeoJSON().features[0].geometry.coordinates.length,
        outlines: e.p.outline.length,
        centre: [e.centre.lng, e.centre.lat],
      };
    }),
    openWarning: (key) => {
      const e = warningAreas.get(key);
      if (!e) return false;
      openWarningPopup(e.p, e.centre);
      return true;
    },
    // Marker colour by feature id ("station-7": "#2e7d32") of the monitoring stations shown.
    stationColours: () => Object.fromEntries(Array.from(resourceMarkers.entries())
      .filter(([key]) => key.startsWith("station-")).map(([key, m]) => [key, m.options.colour])),
    incidentLatLng: (id) => {
      const marker = markers.get(id);
      return marker ? marker.options.lonLat : null;
    },
    userPoint: (name) => {
      for (const e of userLayers.values()) {
        if (e.name !== name || !e.layer.getLayers) continue;
        for (const layer of e.layer.getLayers()) {
          if (layer.getLatLng) return [layer.getLatLng().lng, layer.getLatLng().lat];
        }
      }
      return null;
    },
    userLayers: () => Array.from(userLayers.entries()).map(([id, e]) => ({
      id, kind: e.kind, name: e.name, count: e.count, shown: map.hasLayer(e.layer),
    })),
    tilesLoaded: () => Array.from(document.querySelectorAll(".leaflet-userTiles-pane img.leaflet-tile-loaded"))
      .map((img) => img.src),
    picking: () => picking,
    // The container point (CSS pixels) of a lon/lat, for clicking it with the mouse.
    pointOf: (lon, lat) => {
      const p = map.latLngToContainerPoint([lat, lon]);
      return [p.x, p.y];
    },
    incidentPoint: (id) => {
      const marker = markers.get(id);
      if (!marker) return null;
      const p = map.latLngToContainerPoint(marker.getLatLng());
      return [p.x, p.y];
    },
    setView: (lon, lat, zoom) => { map.setView([lat, lon], zoom, {animate: false}); return true; },
    zoom: () => map.getZoom(),
    clickIncident: (id) => {
      const marker = markers.get(id);
      if (!marker) return false;
      clusters.zoomToShowLayer(marker, () => marker.openPopup());
      marker.fire("click");
      return true;
    },
    openResource: (key) => {
      const marker = resourceMarkers.get(key);
      if (!marker) return false;
      const kind = key.startsWith("camera-") ? "camera" : key.slice(0, key.lastIndexOf("-"));
      const group = kindGroups[kind];
      if (group) group.zoomToShowLayer(marker, () => marker.openPopup());
      else marker.openPopup();
      return true;
    },
    // Frame times (ms) while the page pans and zooms by itself (benchmarks/map.py): drags of
    // 40 frames (moved as Leaflet's own drag handler does, "moveend" when the drag ends), then
    // an animated zoom in or out, and so on.
    frameTimes: (steps) => new Promise((resolve) => {
      const times = [];
      let last = performance.now();
      let i = 0;
      let zoomIn = true;
      const kinds = [];
      function frame(now) {
        times.push(now - last);
        kinds.push(i % 50 < 41 ? "drag" : "zoom");
        last = now;
        i += 1;
        if (i >= steps) {
          map.fire("moveend");
          resolve({times, kinds});
          return;
        }
        const phase = i % 50;
        if (phase < 40) {
          const dir = Math.floor(i / 50) % 4;
          const dx = [14, 0, -14, 0][dir];
          const dy = [0, 10, 0, -10][dir];
          map._rawPanBy(L.point(dx, dy));
          map.fire("move");
        } else if (phase === 40) {
          map.fire("moveend");
          map.setZoom(map.getZoom() + (zoomIn ? 1 : -1), {animate: true});
          zoomIn = !zoomIn;
        }
        requestAnimationFrame(frame);
      }
      requestAnimationFrame(frame);
    }),
  };

  window.addEventListener("error", (e) => fail(e.message + " (" + e.filename + ":" + e.lineno + ")"));
  window.addEventListener("unhandledrejection", (e) => fail(e.reason));
  document.addEventListener("DOMContentLoaded", () => {
    new QWebChannel(qt.webChannelTransport, (channel) => { start(channel).catch(fail); });
  });
})();
