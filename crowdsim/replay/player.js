// crowdsim replay player: one or several recorded runs on one clock, drawn on canvases.
// Reads the JSON block #crowdsim-data written by crowdsim.replay.player; no network access.
"use strict";
(function () {
  performance.mark("parse-start");
  const D = JSON.parse(document.getElementById("crowdsim-data").textContent);
  performance.mark("parse-end");
  const $ = (id) => document.getElementById(id);
  const STATE_COLOURS = D.state_colours;
  const state = { t: D.start_s, playing: false, speed: 1, zoom: 1, panX: 0, panY: 0,
                  layers: { density: false, trails: false, hazards: true, zones: true } };
  const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 32];
  const panes = [];
  let started = false;

  function decodeBase64(b64) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(b64);
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  async function inflate(b64) {
    const stream = new Blob([decodeBase64(b64)]).stream()
      .pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  // Positions come in chunks of frames, each in its own element after the page's script, so
  // the first frames play while the rest of the file is still arriving. Per frame and person:
  // uint16 steps of `quantum_m` from the origin, as differences from the previous frame of the
  // chunk (the first frame absolute), low bytes then high bytes; states: 255 = absent.
  const pending = [];
  let decoding = false;
  window.crowdsimChunk = function (k, c) {
    const el = document.getElementById("c-" + k + "-" + c);
    pending.push([k, c, el.textContent]);
    el.textContent = "";
    if (!decoding) drain();
  };
  async function drain() {
    decoding = true;
    while (pending.length) {
      const [k, c, text] = pending.shift();
      const p = D.panes[k];
      const raw = await inflate(text);
      const N = p.n_people, F = Math.min(p.chunk, p.frames.length - c * p.chunk), n = F * N;
      const X = new Uint16Array(n), Y = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        X[i] = raw[i] | (raw[n + i] << 8);
        Y[i] = raw[2 * n + i] | (raw[3 * n + i] << 8);
      }
      for (let f = 1; f < F; f++) {
        const a = f * N, b = a - N;
        for (let j = 0; j < N; j++) { X[a + j] += X[b + j]; Y[a + j] += Y[b + j]; }
      }
      p.parts[c] = { X: X, Y: Y, S: raw.subarray(4 * n, 5 * n) };
      p.decoded += 1;
      if (started) draw();
    }
    decoding = false;
  }
  // Position, state of person j in frame k (null while the chunk is still loading).
  function part(p, k) { return p.parts[Math.floor(k / p.chunk)] || null; }

  function fmtClock(t) {
    const m = Math.floor(t / 60), s = t - 60 * m;
    return String(m).padStart(2, "0") + ":" + s.toFixed(1).padStart(4, "0");
  }
  function frameIndex(p, t) {
    const f = t * p.fps, fr = p.frames;
    let lo = 0, hi = fr.length - 1;
    if (f <= fr[0]) return 0;
    if (f >= fr[hi]) return hi;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (fr[mid] <= f) lo = mid; else hi = mid; }
    return (f - fr[lo] < fr[hi] - f) ? lo : hi;
  }

  function buildPane(p, k) {
    const div = document.createElement("div");
    div.className = "pane";
    const title = document.createElement("div");
    title.className = "pane-title";
    title.textContent = p.label;
    const head = document.createElement("div");
    head.className = "pane-head";
    head.textContent = p.headline;
    const canvas = document.createElement("canvas");
    canvas.className = "plan";
    const curve = document.createElement("canvas");
    curve.className = "curve";
    div.append(title, head, canvas, curve);
    $("panes").append(div);
    p.div = div; p.canvas = canvas; p.curve = curve; p.k = k;
    p.drawn = { ids: [], x: [], y: [], frame: -1 };
    canvas.addEventListener("mousemove", (ev) => hover(p, ev));
    canvas.addEventListener("mouseleave", () => { $("tip").style.display = "none"; });
    canvas.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const z = ev.deltaY < 0 ? 1.2 : 1 / 1.2;
      const r = canvas.getBoundingClientRect();
      const cx = ev.clientX - r.left, cy = ev.clientY - r.top;
      state.panX = cx - (cx - state.panX) * z;
      state.panY = cy - (cy - state.panY) * z;
      state.zoom *= z;
      draw();
    }, { passive: false });
    let drag = null;
    canvas.addEventListener("mousedown", (ev) => { drag = [ev.clientX, ev.clientY]; });
    window.addEventListener("mouseup", () => { drag = null; });
    window.addEventListener("mousemove", (ev) => {
      if (!drag) return;
      state.panX += ev.clientX - drag[0]; state.panY += ev.clientY - drag[1];
      drag = [ev.clientX, ev.clientY];
      draw();
    });
  }

  function layout() {
    for (const p of panes) {
      const w = Math.max(200, p.div.clientWidth - 4);
      const [x0, y0, x1, y1] = p.bounds;
      const h = Math.min(window.innerHeight * 0.62, w * (y1 - y0) / (x1 - x0));
      const dpr = window.devicePixelRatio || 1;
      p.canvas.width = w * dpr; p.canvas.height = h * dpr;
      p.canvas.style.width = w + "px"; p.canvas.style.height = h + "px";
      p.fit = Math.min(w / (x1 - x0), h / (y1 - y0));
      p.offX = (w - p.fit * (x1 - x0)) / 2; p.offY = (h - p.fit * (y1 - y0)) / 2;
      p.curve.width = w * dpr; p.curve.height = 90 * dpr;
      p.curve.style.width = w + "px"; p.curve.style.height = "90px";
    }
    draw();
  }
  // metres -> CSS pixels of the pane (zoom and pan shared by all panes)
  function toPx(p, x, y) {
    const s = p.fit * state.zoom;
    return [state.panX + p.offX * state.zoom + (x - p.bounds[0]) * s,
            state.panY + p.offY * state.zoom + (p.bounds[3] - y) * s];
  }

  function drawRings(ctx, p, rings) {
    for (const ring of rings) {
      for (let i = 0; i < ring.length; i++) {
        const [px, py] = toPx(p, ring[i][0], ring[i][1]);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      }
      ctx.closePath();
    }
  }
  function closedExits(p, t) {
    const shut = new Set(p.closed_by_layout);
    for (const e of p.events) {
      if (e.t > t + 1e-9) break;
      if (e.kind === "exit closed") shut.add(e.name);
      if (e.kind === "exit opened") shut.delete(e.name);
    }
    return shut;
  }
  function drawPlan(ctx, p, t) {
    const C = D.feature_colours;
    for (const f of p.features) {
      if (f.type !== "polygon") continue;
      if ((f.kind === "zone" || f.kind === "region") && !state.layers.zones) continue;
      ctx.beginPath();
      drawRings(ctx, p, f.rings);
      if (f.kind === "zone" || f.kind === "region") {
        ctx.globalAlpha = 0.12; ctx.fillStyle = C[f.kind]; ctx.fill("evenodd");
        ctx.globalAlpha = 1; ctx.setLineDash([5, 4]); ctx.strokeStyle = C[f.kind];
        ctx.lineWidth = 1; ctx.stroke(); ctx.setLineDash([]);
      } else {
        ctx.fillStyle = C[f.kind] || "#ddd"; ctx.fill("evenodd");
        if (f.kind === "walkable" || f.kind === "shelter") {
          ctx.strokeStyle = f.kind === "walkable" ? "#222" : "#00734f";
          ctx.lineWidth = 1.5; ctx.stroke();
        }
      }
    }
    const shut = closedExits(p, t);
    for (const f of p.features) {
      if (f.type !== "line") continue;
      const closed = shut.has(f.name) || f.kind === "closed exit";
      ctx.beginPath();
      f.rings[0].forEach((q, i) => { const [x, y] = toPx(p, q[0], q[1]); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
      ctx.strokeStyle = closed ? C["closed exit"] : C[f.kind];
      ctx.lineWidth = f.kind === "gate" ? 2 : 5; ctx.stroke();
    }
    ctx.font = "11px sans-serif"; ctx.textAlign = "center"; ctx.fillStyle = "#111";
    for (const f of p.features) {
      if (!f.label || ((f.kind === "zone") && !state.layers.zones)) continue;
      const [x, y] = toPx(p, f.label[0], f.label[1]);
      const closed = shut.has(f.name) || f.kind === "closed exit";
      ctx.fillText(f.name + (closed && (f.kind === "exit" || f.kind === "closed exit") ? " (closed)" : ""), x, y);
    }
  }
  // Density: persons per m² on 1 m cells, painted into a small image and scaled onto the plan.
  function drawDensity(ctx, p, k) {
    const P = part(p, k);
    if (!P) return;
    const [x0, y0, x1, y1] = p.bounds, cell = 1.0;
    const nx = Math.ceil((x1 - x0) / cell), ny = Math.ceil((y1 - y0) / cell);
    const grid = new Float32Array(nx * ny), N = p.n_people, base = (k % p.chunk) * N, q = p.quantum_m;
    for (let j = 0; j < N; j++) {
      if (P.S[base + j] === 255) continue;
      const x = p.origin[0] + P.X[base + j] * q, y = p.origin[1] + P.Y[base + j] * q;
      const gx = Math.floor((x - x0) / cell), gy = ny - 1 - Math.floor((y - y0) / cell);
      if (gx >= 0 && gy >= 0 && gx < nx && gy < ny) grid[gy * nx + gx] += 1;
    }
    if (!p.densityCanvas || p.densityCanvas.width !== nx) {
      p.densityCanvas = document.createElement("canvas");
      p.densityCanvas.width = nx; p.densityCanvas.height = ny;
    }
    const dctx = p.densityCanvas.getContext("2d"), img = dctx.createImageData(nx, ny);
    for (let i = 0; i < nx * ny; i++) {
      const rho = grid[i] / (cell * cell);
      if (rho < 1) continue;
      const c = rho > 4 ? [165, 0, 38] : rho > 2 ? [244, 109, 67] : [254, 224, 139];
      img.data.set([c[0], c[1], c[2], Math.min(40 + rho * 25, 180)], 4 * i);
    }
    dctx.putImageData(img, 0, 0);
    const [px, py] = toPx(p, x0, y0 + ny * cell), s = cell * p.fit * state.zoom;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(p.densityCanvas, px, py, nx * s, ny * s);
  }
  // People are painted pixel by pixel into one image (discs of their true size, a darker
  // rim), which costs a few milliseconds for 10,000 people where one canvas arc each costs tens.
  function disc(buf, W, H, cx, cy, r, fill, rim) {
    const x0 = Math.max(Math.floor(cx - r), 0), x1 = Math.min(Math.ceil(cx + r), W - 1);
    const y0 = Math.max(Math.floor(cy - r), 0), y1 = Math.min(Math.ceil(cy + r), H - 1);
    const r2 = r * r, i2 = Math.max(r - 1.2, 0) ** 2;
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy, row = y * W;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx, d2 = dx * dx + dy * dy;
        if (d2 <= i2) buf[row + x] = fill; else if (d2 <= r2) buf[row + x] = rim;
      }
    }
  }
  function rgba32(hex, alpha) {
    const v = parseInt(hex.slice(1), 16);
    return ((alpha << 24) | ((v & 255) << 16) | (((v >> 8) & 255) << 8) | (v >> 16)) >>> 0;
  }
  const FILL = STATE_COLOURS.map((c) => rgba32(c, 255));
  const RIM = STATE_COLOURS.map((c) => {
    const v = parseInt(c.slice(1), 16), f = (x) => Math.floor(x * 0.6);
    return ((255 << 24) | (f(v & 255) << 16) | (f((v >> 8) & 255) << 8) | f(v >> 16)) >>> 0;
  });
  const PLAIN = rgba32("#0072b2", 255), PLAIN_RIM = rgba32("#004470", 255);
  const TRAIL = rgba32("#5a5a5a", 110);
  function drawPeople(ctx, p, k) {
    const P = part(p, k);
    if (!P) { p.drawn = { ids: [], x: [], y: [], frame: -1 }; return; }
    const dpr = window.devicePixelRatio || 1, W = p.canvas.width, H = p.canvas.height;
    if (!p.layer || p.layer.width !== W || p.layer.height !== H) {
      p.layer = document.createElement("canvas"); p.layer.width = W; p.layer.height = H;
      p.image = p.layer.getContext("2d").createImageData(W, H);
      p.buf = new Uint32Array(p.image.data.buffer);
    }
    const buf = p.buf;
    buf.fill(0);
    const N = p.n_people, base = (k % p.chunk) * N, q = p.quantum_m, s = p.fit * state.zoom;
    const ox = p.origin[0], oy = p.origin[1];
    if (state.layers.trails) {
      for (let back = 8; back >= 1; back--) {
        if (k - back < 0) break;
        const B = part(p, k - back);
        if (!B) continue;
        const b = ((k - back) % p.chunk) * N;
        for (let j = 0; j < N; j++) {
          if (B.S[b + j] === 255 || P.S[base + j] === 255) continue;
          const tx = state.panX + p.offX * state.zoom + (ox + B.X[b + j] * q - p.bounds[0]) * s;
          const ty = state.panY + p.offY * state.zoom + (p.bounds[3] - oy - B.Y[b + j] * q) * s;
          const o = Math.round(ty * dpr) * W + Math.round(tx * dpr);
          if (tx >= 0 && ty >= 0 && tx * dpr < W - 1 && ty * dpr < H - 1) { buf[o] = TRAIL; buf[o + 1] = TRAIL; buf[o + W] = TRAIL; buf[o + W + 1] = TRAIL; }
        }
      }
    }
    // toPx inlined: x px = a + (x - bx) * s, y px = c + (by - y) * s (then device pixels)
    const a = state.panX + p.offX * state.zoom, c = state.panY + p.offY * state.zoom;
    const bx = p.bounds[0], by = p.bounds[3];
    const ids = [], xs = [], ys = [];
    for (let j = 0; j < N; j++) {
      const st = P.S[base + j];
      if (st === 255) continue;
      const x = ox + P.X[base + j] * q, y = oy + P.Y[base + j] * q;
      ids.push(j); xs.push(x); ys.push(y);
      const px = (a + (x - bx) * s) * dpr, py = (c + (by - y) * s) * dpr;
      const r = Math.max(p.radius[j] * s, 1.2) * dpr;
      if (p.has_states) disc(buf, W, H, px, py, r, FILL[st] || PLAIN, RIM[st] || PLAIN_RIM);
      else disc(buf, W, H, px, py, r, PLAIN, PLAIN_RIM);
    }
    p.layer.getContext("2d").putImageData(p.image, 0, 0);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(p.layer, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    p.drawn = { ids: ids, x: xs, y: ys, frame: p.frames[k] };
  }
  function drawHazards(ctx, p, k) {
    const list = p.hazards[String(p.frames[k])];
    if (!list || !state.layers.hazards) return;
    for (const [x, y, r] of list) {
      const [px, py] = toPx(p, x, y);
      ctx.beginPath(); ctx.arc(px, py, r * p.fit * state.zoom, 0, 6.2832);
      ctx.fillStyle = "rgba(215,25,28,0.22)"; ctx.fill();
      ctx.strokeStyle = "#d7191c"; ctx.lineWidth = 2.5; ctx.stroke();
    }
  }
  function drawCurve(p) {
    const c = p.curve, ctx = c.getContext("2d"), dpr = window.devicePixelRatio || 1;
    const w = c.width / dpr, h = c.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const T = D.end_s, n = Math.max(p.curve_total, 1);
    ctx.strokeStyle = "#ccc"; ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    ctx.beginPath();
    p.curve_t.forEach((t, i) => {
      const x = (t / T) * (w - 2) + 1, y = h - 14 - (p.curve_n[i] / n) * (h - 24);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.strokeStyle = "#009e73"; ctx.lineWidth = 2; ctx.stroke();
    const x = (state.t / T) * (w - 2) + 1;
    ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, h); ctx.strokeStyle = "#d55e00"; ctx.lineWidth = 1.5; ctx.stroke();
    ctx.fillStyle = "#333"; ctx.font = "11px sans-serif"; ctx.textAlign = "left";
    ctx.fillText(p.curve_label + " (of " + n + ")", 6, 12);
    ctx.textAlign = "right"; ctx.fillText(fmtClock(T), w - 4, h - 3);
  }
  function draw() {
    for (const p of panes) {
      const ctx = p.canvas.getContext("2d"), dpr = window.devicePixelRatio || 1;
      const k = frameIndex(p, state.t);
      const key = [p.canvas.width, p.canvas.height, state.zoom, state.panX, state.panY,
                   state.layers.zones, [...closedExits(p, state.t)].join("|")].join(",");
      if (key !== p.planKey) {  // the plan is drawn again only when the view or exits change
        p.planKey = key;
        if (!p.plan) p.plan = document.createElement("canvas");
        p.plan.width = p.canvas.width; p.plan.height = p.canvas.height;
        const pc = p.plan.getContext("2d");
        pc.setTransform(dpr, 0, 0, dpr, 0, 0);
        pc.fillStyle = "#f4f1ea"; pc.fillRect(0, 0, p.canvas.width, p.canvas.height);
        drawPlan(pc, p, state.t);
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(p.plan, 0, 0);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      if (state.layers.density) drawDensity(ctx, p, k);
      drawHazards(ctx, p, k);
      drawPeople(ctx, p, k);
      drawCurve(p);
    }
    $("clock").textContent = "t = " + fmtClock(state.t);
    $("slider").value = String(state.t);
    const recent = [];
    for (const p of panes) for (const e of p.events) {
      if (e.t <= state.t + 1e-9 && state.t - e.t <= 6) recent.push((panes.length > 1 ? p.layout + ": " : "") + fmtClock(e.t) + " " + e.detail);
    }
    $("captions").textContent = recent.slice(-4).join("  ·  ");
    $("play").textContent = state.playing ? "❚❚ pause" : "▶ play";
    $("speed").textContent = state.speed + "×";
  }

  function hover(p, ev) {
    const r = p.canvas.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    let best = -1, bestD = 1e9;
    for (let i = 0; i < p.drawn.ids.length; i++) {
      const [px, py] = toPx(p, p.drawn.x[i], p.drawn.y[i]);
      const d = Math.hypot(px - mx, py - my);
      if (d < bestD) { bestD = d; best = i; }
    }
    const tip = $("tip");
    const j = best >= 0 ? p.drawn.ids[best] : -1;
    if (j < 0 || bestD > Math.max(8, p.radius[j] * p.fit * state.zoom + 3)) { tip.style.display = "none"; return; }
    const k = frameIndex(p, state.t), P = part(p, k);
    const st = P ? P.S[(k % p.chunk) * p.n_people + j] : 255;
    const lines = ["person " + j, "state: " + (p.has_states ? D.state_names[st] : "not recorded")];
    for (const [name, col] of Object.entries(p.agents)) {
      const v = col[j];
      if (v !== null && v !== undefined && v !== "") lines.push(name.replace(/_/g, " ") + ": " + (typeof v === "number" ? +v.toFixed(2) : v));
    }
    tip.textContent = lines.join("\n");
    tip.style.display = "block";
    tip.style.left = (ev.pageX + 14) + "px"; tip.style.top = (ev.pageY + 10) + "px";
  }

  function seek(t) { state.t = Math.min(Math.max(t, D.start_s), D.end_s); draw(); }
  function step(dir) { state.playing = false; seek(state.t + dir / D.step_fps); }
  function setSpeed(dir) {
    const i = SPEEDS.indexOf(state.speed) + dir;
    state.speed = SPEEDS[Math.min(Math.max(i, 0), SPEEDS.length - 1)]; draw();
  }
  function toggle(layer) { state.layers[layer] = !state.layers[layer]; $("layer-" + layer).checked = state.layers[layer]; draw(); }
  let last = null;
  function tick(now) {
    if (state.playing) {
      if (last !== null) {
        const next = Math.min(state.t + (now - last) / 1000 * state.speed, D.end_s);
        // Hold the clock while the frames ahead are still loading.
        if (panes.every((p) => part(p, frameIndex(p, next)))) state.t = next;
        if (state.t >= D.end_s) state.playing = false;
        draw();
      }
      last = now;
    } else last = null;
    requestAnimationFrame(tick);
  }

  function markers() {
    const bar = $("markers");
    for (const p of panes) for (const e of p.events) {
      const m = document.createElement("span");
      m.className = "marker kind-" + e.kind.replace(/ /g, "-");
      m.style.left = (100 * (e.t - D.start_s) / Math.max(D.end_s - D.start_s, 1e-9)) + "%";
      m.title = (panes.length > 1 ? p.layout + ": " : "") + fmtClock(e.t) + " " + e.detail;
      m.addEventListener("click", () => seek(e.t));
      bar.append(m);
    }
  }

  async function start() {
    document.title = D.title;
    $("title").textContent = D.title;
    const slider = $("slider");
    slider.min = String(D.start_s); slider.max = String(D.end_s); slider.step = String(1 / D.step_fps);
    slider.addEventListener("input", () => { state.playing = false; seek(parseFloat(slider.value)); });
    $("play").addEventListener("click", () => { state.playing = !state.playing; if (state.t >= D.end_s) state.t = D.start_s; draw(); });
    $("back").addEventListener("click", () => step(-1));
    $("fwd").addEventListener("click", () => step(1));
    $("slower").addEventListener("click", () => setSpeed(-1));
    $("faster").addEventListener("click", () => setSpeed(1));
    $("reset").addEventListener("click", () => { state.zoom = 1; state.panX = 0; state.panY = 0; draw(); });
    for (const layer of Object.keys(state.layers)) {
      const box = $("layer-" + layer);
      box.checked = state.layers[layer];
      box.addEventListener("change", () => { state.layers[layer] = box.checked; draw(); });
    }
    window.addEventListener("keydown", (ev) => {
      if (ev.target && ev.target.tagName === "INPUT" && ev.target.type !== "checkbox" && ev.target.type !== "range") return;
      const keys = { " ": () => { state.playing = !state.playing; draw(); },
        "ArrowRight": () => step(1), "ArrowLeft": () => step(-1), ".": () => step(1), ",": () => step(-1),
        "+": () => setSpeed(1), "=": () => setSpeed(1), "-": () => setSpeed(-1),
        "Home": () => seek(D.start_s), "End": () => seek(D.end_s), "0": () => $("reset").click(),
        "d": () => toggle("density"), "t": () => toggle("trails"), "h": () => toggle("hazards"), "z": () => toggle("zones") };
      if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
    });
    D.panes.forEach((p, k) => { p.parts = []; p.decoded = 0; panes.push(p); buildPane(p, k); });
    markers();
    window.addEventListener("resize", layout);
    layout();
    requestAnimationFrame(tick);
    started = true;
    window.crowdsimPlayer = {
      get ready() { return panes.every((p) => p.parts[0]); },
      get loaded() { return panes.every((p) => p.decoded === p.n_chunks); },
      time: () => state.t,
      playing: () => state.playing,
      seek: seek,
      play: () => { state.playing = true; draw(); },
      pause: () => { state.playing = false; draw(); },
      frames: () => panes.map((p) => p.drawn.frame),
      positions: (k) => ({ frame: panes[k].drawn.frame, ids: panes[k].drawn.ids, x: panes[k].drawn.x, y: panes[k].drawn.y }),
    };
    const hide = () => { if (window.crowdsimPlayer.ready) $("loading").style.display = "none"; else setTimeout(hide, 50); };
    hide();
  }
  start().catch((err) => { $("loading").textContent = "This replay could not be opened: " + err; throw err; });
})();
