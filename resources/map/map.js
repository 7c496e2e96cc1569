// The situation map: Jilin's prefectures and counties as a vector basemap, incidents on top.
// Talks to Python only through the QWebChannel object "bridge"; loads only app:// URLs.
"use strict";

(function () {
  const GRADES = ["I", "II", "III", "IV"];  // gravest first
  // Soft fills, one per prefecture (by code order), so neighbours are told apart.
  const FILLS = ["#f4ecd6", "#dcebd8", "#f0dde6", "#d9e6f3", "#f5e1cc",
                 "#e3dcf0", "#d5ebe6", "#eef0d2", "#ecdcd3"];
  const COUNTY_ZOOM = 9;  // county names from this zoom on

  let bridge = null;
  let map = null;
  let clusters = null;
  let texts = {grades: {}, language: "zh"};
  const markers = new Map();  // incident id -> marker
  let legend = null;
  let note = null;

  function gradeKey(grade) {
    return GRADES.includes(grade) ? grade : "none";
  }

  function label(props) {
    return texts.language === "en" && props.name_en ? props.name_en : props.name;
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

  function placeLabel(row, county) {
    const text = texts.language === "en" && row.name_en ? row.name_en : row.name;
    return L.tooltip({
      permanent: true,
      direction: "center",
      interactive: false,
      className: county ? "place-label county-label" : "place-label",
    }).setLatLng([Number(row.lat), Number(row.lon)]).setContent(text);
  }

  function drawBasemap(prefectures, counties, divisions) {
    map.createPane("counties").style.zIndex = 410;
    map.createPane("prefectureLines").style.zIndex = 420;
    map.createPane("labels").style.zIndex = 450;
    map.getPane("labels").style.pointerEvents = "none";
    const order = prefectures.features.map((f) => f.properties.code).sort();
    const fills = L.geoJSON(prefectures, {
      interactive: false,
      style: (f) => ({
        stroke: false,
        fillColor: FILLS[order.indexOf(f.properties.code) % FILLS.length],
        fillOpacity: 1,
      }),
    }).addTo(map);
    L.geoJSON(counties, {
      pane: "counties",
      interactive: false,
      style: {color: "#9aa7b0", weight: 0.8, fill: false},
    }).addTo(map);
    L.geoJSON(prefectures, {
      pane: "prefectureLines",
      interactive: false,
      style: {color: "#607d8b", weight: 1.8, fill: false},
    }).addTo(map);
    const labels = L.layerGroup([], {pane: "labels"}).addTo(map);
    for (const row of divisions) {
      if (row.level === "prefecture" || row.level === "county") {
        placeLabel(row, row.level === "county").addTo(labels);
      }
    }
    const bounds = fills.getBounds();
    map.fitBounds(bounds, {padding: [8, 8]});
    map.setMaxBounds(bounds.pad(0.5));
    const zoomed = () => {
      map.getContainer().classList.toggle("hide-counties", map.getZoom() < COUNTY_ZOOM);
    };
    map.on("zoomend", zoomed);
    zoomed();
  }

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

  function popup(p) {
    const box = document.createElement("div");
    box.className = "incident-popup";
    const add = (cls, text) => {
      const div = document.createElement("div");
      div.className = cls;
      div.textContent = text;
      box.appendChild(div);
    };
    add("title", p.title);
    add("row", p.grade_label + " · " + p.status_label);
    add("row", p.time);
    if (p.approximate && texts.approximate) add("note", texts.approximate);
    return box;
  }

  function showIncidents(json) {
    const data = JSON.parse(json);
    clusters.clearLayers();
    markers.clear();
    const layers = [];
    for (const f of data.features) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const key = gradeKey(p.grade);
      const marker = L.marker([lat, lon], {
        icon: L.divIcon({
          className: "incident-marker grade-" + key + (p.approximate ? " approximate" : ""),
          iconSize: key === "none" ? [14, 14] : [18, 18],
        }),
        title: p.title,
        gradeKey: key,
        incidentId: p.id,
        zIndexOffset: 1000 * (GRADES.length - (GRADES.indexOf(key) + 1)),
      });
      marker.bindPopup(() => popup(p), {closeButton: true, autoPanPadding: [20, 20]});
      marker.on("click", () => bridge.select_incident(p.id));
      markers.set(p.id, marker);
      layers.push(marker);
    }
    clusters.addLayers(layers);
    const shown = data.features.length;
    note.textContent = data.omitted
      ? (texts.omitted || "").replace("{shown}", shown).replace("{omitted}", data.omitted)
      : "";
    bridge.report_markers(markers.size);
  }

  function addControls() {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    legend = L.control({position: "bottomright"});
    legend.onAdd = () => {
      const box = L.DomUtil.create("div", "map-box");
      const head = L.DomUtil.create("div", "heading", box);
      head.textContent = texts.legend || "";
      for (const key of [...GRADES, "none"]) {
        const row = L.DomUtil.create("div", "", box);
        L.DomUtil.create("span", "swatch grade-" + key, row);
        row.appendChild(document.createTextNode(texts.grades[key] || key));
      }
      note = L.DomUtil.create("div", "map-note", box);
      return box;
    };
    legend.addTo(map);
    const credit = L.control({position: "bottomleft"});
    credit.onAdd = () => {
      const box = L.DomUtil.create("div", "map-credit");
      box.textContent = texts.boundaries || "";
      return box;
    };
    credit.addTo(map);
  }

  async function start(channel) {
    bridge = channel.objects.bridge;
    texts = JSON.parse(await new Promise((resolve) => bridge.texts(resolve)));
    map = L.map("map", {
      attributionControl: false,
      zoomSnap: 0.25,
      minZoom: 5,
      maxZoom: 16,
      preferCanvas: false,
    });
    const [prefectures, counties, divisions] = await Promise.all([
      getJson("app://geodata/jilin_prefectures.geojson"),
      getJson("app://geodata/jilin_counties.geojson"),
      getCsv("app://geodata/jilin_divisions.csv"),
    ]);
    drawBasemap(prefectures, counties, divisions);
    addControls();
    clusters = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      spiderfyOnMaxZoom: true,
    }).addTo(map);
    bridge.incidents_changed.connect(showIncidents);
    window.dutyMap.ready = true;
    bridge.report_ready();
  }

  // For tests and for Python: the state of the map, and a marker click by incident id.
  window.dutyMap = {
    ready: false,
    markerCount: () => markers.size,
    incidentIds: () => Array.from(markers.keys()),
    countyCount: () => {
      let n = 0;
      map.getPane("counties").querySelectorAll("path").forEach(() => { n += 1; });
      return n;
    },
    clickIncident: (id) => {
      const marker = markers.get(id);
      if (!marker) return false;
      clusters.zoomToShowLayer(marker, () => marker.openPopup());
      marker.fire("click");
      return true;
    },
  };

  window.addEventListener("error", (e) => fail(e.message + " (" + e.filename + ":" + e.lineno + ")"));
  window.addEventListener("unhandledrejection", (e) => fail(e.reason));
  document.addEventListener("DOMContentLoaded", () => {
    new QWebChannel(qt.webChannelTransport, (channel) => { start(channel).catch(fail); });
  });
})();
