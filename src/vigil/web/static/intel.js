// The intelligence page's link graph: draws /cases/<ref>/intel/graph.json with cytoscape
// (installed from the npm registry at set-up into /static/vendor/). Without it, or without
// JavaScript, the page's table of nodes and links stays the view. Click a node or a link to
// see its details beside the graph. No inline styles: cytoscape draws on a canvas.
"use strict";

(function () {
  const COLOURS = {
    person: "#8c1d14", account: "#1f4e8c", phone: "#2e7d32", email: "#6a1b9a",
    wallet: "#c26a00", url: "#546e7a", ip: "#00838f", bank_account: "#795548",
    postcode: "#9e9d24", conversation: "#455a64", case: "#212121",
  };
  const SHAPES = { person: "star", account: "ellipse", conversation: "round-rectangle" };

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function row(dl, term, value) {
    dl.appendChild(text("dt", term));
    dl.appendChild(text("dd", value));
  }

  function showNode(panel, node) {
    const d = node.data();
    panel.replaceChildren(text("h3", d.label));
    const dl = document.createElement("dl");
    row(dl, "Kind", d.type_label);
    if (d.platform) row(dl, "Platform", d.platform);
    row(dl, "Links", String(d.links));
    panel.appendChild(dl);
    const ul = document.createElement("ul");
    node.connectedEdges().forEach(function (e) {
      const other = e.source().id() === node.id() ? e.target() : e.source();
      ul.appendChild(text("li", e.data("relation") + ": " + other.data("label")));
    });
    if (ul.children.length) {
      panel.appendChild(text("p", "Linked to:", "muted"));
      panel.appendChild(ul);
    }
  }

  function showEdge(panel, edge) {
    panel.replaceChildren(text("h3", edge.source().data("label") + " — " + edge.target().data("label")));
    const dl = document.createElement("dl");
    row(dl, "Link", edge.data("relation"));
    row(dl, "Times seen", String(edge.data("count")));
    panel.appendChild(dl);
    if (edge.data("reasons")) panel.appendChild(text("p", edge.data("reasons"), "muted"));
  }

  function draw(box, data, status, panel) {
    const elements = [];
    data.nodes.forEach(function (n) { elements.push({ group: "nodes", data: n }); });
    data.edges.forEach(function (e) { elements.push({ group: "edges", data: e }); });
    const cy = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
          "width": "mapData(links, 1, 30, 14, 40)", "height": "mapData(links, 1, 30, 14, 40)",
          "background-color": function (n) { return COLOURS[n.data("type")] || "#777"; },
          "shape": function (n) { return SHAPES[n.data("type")] || "ellipse"; },
          "color": "#1b1f24", "text-valign": "bottom", "text-margin-y": 3,
        } },
        { selector: "edge", style: {
          "width": "mapData(count, 1, 20, 1, 5)", "line-color": "#b0b8c4", "curve-style": "bezier",
        } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#ffb300", "line-color": "#ffb300" } },
      ],
      layout: { name: data.nodes.length > 400 ? "grid" : "cose", animate: false, randomize: false },
    });
    cy.on("tap", "node", function (ev) { showNode(panel, ev.target); });
    cy.on("tap", "edge", function (ev) { showEdge(panel, ev.target); });
    box.dataset.ready = "true";
    status.textContent = data.nodes.length + " nodes and " + data.edges.length + " links drawn. " + data.note;
    window.vigilGraph = cy; // for the browser test and for people who want the console
  }

  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("graph");
    const status = document.getElementById("graph-status");
    const panel = document.getElementById("graph-detail");
    if (!box || !status || !panel) return;
    if (typeof window.cytoscape !== "function") {
      box.classList.add("no-graph");
      panel.hidden = true;
      status.textContent = "The graph library is not installed here: see the table of nodes and links below.";
      const table = document.getElementById("graph-table");
      if (table) table.open = true;
      return;
    }
    fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("the server answered " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (!data.nodes.length) {
          box.classList.add("no-graph");
          status.textContent = "Nothing to draw yet.";
          return;
        }
        draw(box, data, status, panel);
      })
      .catch(function (err) {
        box.classList.add("no-graph");
        status.textContent = "The graph could not be drawn (" + err.message + "): see the table below.";
      });
  });
})();
