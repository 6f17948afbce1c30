package report

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/plancheck/plancheck/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// writer is the signature every format function shares.
type writer func(io.Writer, *rules.Result) error

// format is a writer with its name and the file of its golden output.
type format struct {
	name   string
	write  writer
	golden string
}

var formats = []format{
	{"text", Text, "changsha.txt"},
	{"json", JSON, "changsha.json"},
	{"sarif", SARIF, "changsha.sarif"},
	{"github", GitHub, "changsha.github.txt"},
	{"junit", JUnit, "changsha.junit.xml"},
	{"geojson", GeoJSON, "changsha.geojson"},
	{"markdown", Markdown, "changsha.md"},
	{"html", HTML, "changsha.html"},
}

// Hostile strings a layer file could carry in a feature id or a message.
const (
	hostileID      = `"><img src=x onerror=alert(1)>`
	hostileMessage = `<script>alert(1)</script>`
	// hostileZH has a table pipe, a code span, a line break, an SGR colour
	// sequence, an OSC 8 hyperlink and a right-to-left override.
	hostileZH = "绿心限制开发区内的商业用地 | `B1`\n第二行\x1b[31m红\x1b[0m\x1b]8;;https://evil.example/\x07链接\x1b]8;;\x07\u202e反转"
)

// box is the rectangle [minLon, maxLon] × [minLat, maxLat] as a polygon
// with a counter-clockwise outer ring (RFC 7946).
func box(minLon, minLat, maxLon, maxLat float64) orb.Polygon {
	return orb.Polygon{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}
}

// changsha is a hand-made Result shaped like a run over three Changsha
// plans (city master, land use, green heart) and an infrastructure layer.
//
// Map, lon 112.90–113.10, lat 28.10–28.30 (not to scale):
//
//	28.30 ┌──────────────────────────────────────┐
//	      │  ▒hostile            ┌── GH-1 ───────┤  green heart
//	      │                      │  B-2 ▓▓  ●stn │
//	      │   R-12┌──┐           │   ╱road       │
//	      │   ▓▓▓▓│F-3           └──╱────────────┤
//	      │       └──┘  F-21×      ╱   M-7 ▓▓ ▓▓ │  (F-9 below M-7)
//	28.10 └─road╱──────────────────────────────────┘
//	    112.90                                 113.10
//
// Areas are orb/geo.Area of the patches (spherical, m²); the road length
// is orb/geo.Length of the clipped line.
func changsha() *rules.Result {
	// Finding patches.
	r12f3 := box(112.955, 28.19, 112.97, 28.21)
	m7f9 := orb.MultiPolygon{
		box(113.02, 28.12, 113.03, 28.14),
		box(113.04, 28.12, 113.05, 28.14),
	}
	b2gh := box(113.05, 28.24, 113.08, 28.27)
	hostile := box(112.93, 28.26, 112.945, 28.275)
	road := orb.LineString{{113.04, 28.2336842}, {113.0631579, 28.255789}, {113.0778947, 28.27}}
	at := orb.Point{112.98123456789, 28.15098765432}

	return &rules.Result{
		Tool:      "plancheck",
		Version:   "0.3.0",
		Command:   "check",
		PlanSet:   "changsha-2035",
		Asof:      2025,
		MinAreaM2: 100,
		Inputs: []rules.Input{
			{Layer: "changsha-master", Level: "city-master", File: "layers/changsha-master.geojson", SHA256: "3f2a9c0d4e5b6a7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7", Features: 4},
			{Layer: "land-use", Level: "land-use", File: "layers/land-use.geojson", SHA256: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", Features: 3},
			{Layer: "green-heart", Level: "green-heart", File: "layers/green-heart.geojson", SHA256: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", Features: 1},
			{Layer: "infrastructure", Level: "infrastructure", File: "layers/infrastructure.geojson", SHA256: "99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa", Features: 2},
		},
		Rules: []rules.RuleInfo{
			{Name: "construction-on-basic-farmland", Title: "construction land on basic farmland", Severity: rules.Error,
				Doc: "construction land on basic farmland\n\nReports city-master construction land (R, M, B, …) that overlaps a land-use 010 基本农田保护区 zone.\nBasic farmland may not be built on; adjust the city plan or the land-use zone."},
			{Name: "construction-in-green-heart", Title: "urban construction in the green-heart restricted zone", Severity: rules.Warning,
				Doc: "urban construction in the green-heart restricted zone\n\nReports R, A, B, M and W land inside 限制开发区, which admits them only after review."},
			{Name: "infrastructure-in-prohibited-zone", Title: "infrastructure through a prohibited zone", Severity: rules.Warning,
				Doc: "infrastructure through a prohibited zone\n\nReports lines of the infrastructure layer that cross 禁止开发区."},
			{Name: "near-term-in-restricted-zone", Title: "near-term construction in a restricted zone", Severity: rules.Warning,
				Doc: "near-term construction in a restricted zone\n\nReports 近期建设 land in 有条件 or 限制建设区."},
			{Name: "horizon-mismatch", Title: "plan horizons do not cover the asof year", Severity: rules.Info,
				Doc: "plan horizons do not cover the asof year\n\nReports pairs of layers whose plan periods do not both include asof."},
			{Name: "invalid-geometry", Title: "invalid geometry in a layer file", Severity: rules.Error,
				Doc: "invalid geometry in a layer file\n\nReports rings that are not closed, NaN coordinates and the like."},
		},
		// Deliberately not in SortFindings order: writers must sort.
		Findings: []rules.Finding{
			{
				Rule: "horizon-mismatch", Severity: rules.Info,
				Layers:    []string{"changsha-master", "land-use"},
				Message:   "the city master plan runs to 2030 but the land-use plan ended in 2020",
				MessageZH: "城市总体规划期限至2030年，土地利用总体规划已于2020年到期",
			},
			{
				Rule: "construction-in-green-heart", Severity: rules.Warning,
				Layers: []string{"changsha-master", "green-heart"}, Features: []string{"B-2", "GH-1"}, Classes: []string{"B1", "限制开发区"},
				AreaM2: orbgeo.Area(b2gh), Geometry: b2gh,
				Message:   "commercial land B1 in the restricted zone",
				MessageZH: "绿心限制开发区内的商业用地",
			},
			{
				Rule: "construction-on-basic-farmland", Severity: rules.Error,
				Layers: []string{"changsha-master", "land-use"}, Features: []string{"R-12", "F-3"}, Classes: []string{"R2", "010"},
				AreaM2: orbgeo.Area(r12f3), Geometry: r12f3,
				Message:   "residential land R2 overlaps basic farmland zone 010",
				MessageZH: "二类居住用地占用基本农田保护区",
			},
			{
				Rule: "infrastructure-in-prohibited-zone", Severity: rules.Warning,
				Layers: []string{"infrastructure", "green-heart"}, Features: []string{"ROAD-5", "GH-1"}, Classes: []string{"S1", "禁止开发区"},
				LengthM: orbgeo.Length(road), Geometry: road,
				Message:   "road crosses the prohibited zone",
				MessageZH: "道路穿越禁止开发区",
			},
			{
				Rule: "construction-in-green-heart", Severity: rules.Warning,
				Layers: []string{"changsha-master", "green-heart"}, Features: []string{hostileID, "GH-1"}, Classes: []string{"B|1", "限制开发区"},
				AreaM2: orbgeo.Area(hostile), Geometry: hostile,
				Message:   hostileMessage,
				MessageZH: hostileZH,
			},
			{
				Rule: "invalid-geometry", Severity: rules.Error,
				Layers: []string{"land-use"}, Features: []string{"F-21"}, Classes: []string{"020"},
				Location:  rules.Location{File: "layers/land-use.geojson", Line: 42},
				At:        &at,
				Message:   "ring 0 is not closed at or near 112.9812346 28.1509877",
				MessageZH: "第0环未闭合",
			},
			{
				Rule: "construction-on-basic-farmland", Severity: rules.Error,
				Layers: []string{"changsha-master", "land-use"}, Features: []string{"M-7", "F-9"}, Classes: []string{"M1", "010"},
				AreaM2: orbgeo.Area(m7f9), Geometry: m7f9,
				Message:   "industrial land M1 overlaps basic farmland zone 010",
				MessageZH: "一类工业用地占用基本农田保护区",
			},
		},
		Map: []rules.MapLayer{
			{Name: "green-heart", Level: "green-heart", Features: []orb.Geometry{
				orb.Polygon{{{113.04, 28.22}, {113.10, 28.20}, {113.10, 28.30}, {113.03, 28.29}, {113.04, 28.22}}},
			}},
			{Name: "land-use", Level: "land-use", Features: []orb.Geometry{
				box(112.955, 28.18, 112.99, 28.21),
				orb.Polygon{
					{{113.0, 28.10}, {113.06, 28.10}, {113.06, 28.145}, {113.0, 28.145}, {113.0, 28.10}},
					{{113.032, 28.115}, {113.032, 28.13}, {113.037, 28.13}, {113.037, 28.115}, {113.032, 28.115}}, // hole
				},
				box(112.975, 28.14, 112.99, 28.16),
			}},
			{Name: "changsha-master", Level: "city-master", Features: []orb.Geometry{
				box(112.94, 28.19, 112.97, 28.22),
				box(113.02, 28.12, 113.05, 28.14),
				box(113.05, 28.24, 113.08, 28.27),
				box(112.92, 28.25, 112.945, 28.28),
			}},
			{Name: "infrastructure", Level: "infrastructure", Features: []orb.Geometry{
				orb.LineString{{112.90, 28.10}, {112.99, 28.17}, {113.04, 28.2336842}, {113.0631579, 28.255789}, {113.10, 28.29}},
				orb.Point{113.07, 28.255},
			}},
		},
	}
}

func TestGolden(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, changsha()); err != nil {
				t.Fatal(err)
			}
			golden(t, f.golden, buf.Bytes())
		})
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./rules/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./rules/report -update and review the diff\n%s", name, firstDiff(got, want))
	}
}

// firstDiff shows the first differing line of got and want.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

// TestDeterministic writes every format twice, and once more from a Result
// whose findings and map come in another order, and wants the same bytes.
func TestDeterministic(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var a, b, c bytes.Buffer
			if err := f.write(&a, changsha()); err != nil {
				t.Fatal(err)
			}
			if err := f.write(&b, changsha()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two writes of the same Result differ")
			}
			r := changsha()
			slices.Reverse(r.Findings)
			before := slices.Clone(r.Findings)
			if err := f.write(&c, r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), c.Bytes()) {
				t.Error("the order of r.Findings changes the output")
			}
			for i := range before {
				if before[i].Rule != r.Findings[i].Rule || !slices.Equal(before[i].Features, r.Findings[i].Features) {
					t.Fatal("the writer reordered r.Findings")
				}
			}
		})
	}
}

func TestWrite(t *testing.T) {
	for _, name := range Formats {
		t.Run(name, func(t *testing.T) {
			var viaWrite, direct bytes.Buffer
			if err := Write(&viaWrite, name, changsha()); err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(formats, func(f format) bool { return f.name == name })
			if i < 0 {
				t.Fatalf("format %q has no writer in the test table", name)
			}
			if err := formats[i].write(&direct, changsha()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(viaWrite.Bytes(), direct.Bytes()) {
				t.Errorf("Write(%q) differs from the format's own writer", name)
			}
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	for _, name := range []string{"xml", "", "TEXT", "geojson", "html"} {
		var buf bytes.Buffer
		err := Write(&buf, name, changsha())
		if err == nil {
			t.Fatalf("Write(%q) = nil, want an error", name)
		}
		want := `report: unknown format "` + name + `" (want text, json, sarif, github, junit)`
		if err.Error() != want {
			t.Errorf("Write(%q) error = %q, want %q", name, err, want)
		}
		var ufe *UnknownFormatError
		if !errors.As(err, &ufe) || ufe.Format != name {
			t.Errorf("Write(%q) error is not an *UnknownFormatError for %q", name, name)
		}
		if buf.Len() != 0 {
			t.Errorf("Write(%q) wrote %d bytes before failing", name, buf.Len())
		}
	}
}

func TestNilResult(t *testing.T) {
	for _, f := range formats {
		if err := f.write(io.Discard, nil); !errors.Is(err, ErrNilResult) {
			t.Errorf("%s(nil) = %v, want ErrNilResult", f.name, err)
		}
	}
}

// TestEmptyResult writes a Result with nothing in it (validate of an
// empty file): every writer succeeds.
func TestEmptyResult(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, &rules.Result{}); err != nil {
				t.Fatal(err)
			}
			if buf.Len() == 0 && f.name != "github" {
				t.Error("no output")
			}
		})
	}
}

// TestAllGeometries gives every writer a finding of each orb geometry
// kind, including nil and empty ones.
func TestAllGeometries(t *testing.T) {
	geoms := []orb.Geometry{
		nil,
		orb.Point{113, 28.2},
		orb.MultiPoint{{113, 28.2}, {113.01, 28.21}},
		orb.MultiPoint{},
		orb.LineString{{113, 28.2}, {113.01, 28.21}},
		orb.LineString{},
		orb.MultiLineString{{{113, 28.2}, {113.01, 28.21}}},
		orb.Ring{{113, 28.2}, {113.01, 28.2}, {113.01, 28.21}, {113, 28.2}},
		box(113, 28.2, 113.01, 28.21),
		orb.Polygon{},
		orb.MultiPolygon{box(113, 28.2, 113.01, 28.21), box(113.02, 28.2, 113.03, 28.21)},
		orb.MultiPolygon{},
		orb.Bound{Min: orb.Point{113, 28.2}, Max: orb.Point{113.01, 28.21}},
		orb.Collection{orb.Point{113, 28.2}, nil, box(113, 28.2, 113.01, 28.21)},
		orb.Collection{},
	}
	r := &rules.Result{Rules: []rules.RuleInfo{{Name: "r", Title: "r", Doc: "r", Severity: rules.Error}}}
	for i, g := range geoms {
		r.Findings = append(r.Findings, rules.Finding{
			Rule: "r", Severity: rules.Error, Layers: []string{"a"}, Features: []string{strconv.Itoa(i)}, Geometry: g,
		})
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			if err := f.write(io.Discard, r); err != nil {
				t.Fatal(err)
			}
		})
	}
}
