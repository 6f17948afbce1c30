package geo

import (
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// The JTS test suite's isValid cases (testdata/jts, EDL 1.0; see its
// README) are the reference for Validity. The upstream validate/ folder
// holds relate cases only; the isValid cases live in general/TestValid*.xml
// and misc/Test{Valid,InvalidA}.xml, copied here.

// jtsKnownDisagreements lists every case where Validity's verdict differs
// from JTS's expected isValid, keyed "file#case" (case numbered from 1 in
// file order), each with the reason. The test fails on a disagreement not
// listed here and on a listed case that no longer disagrees.
var jtsKnownDisagreements = map[string]string{
	// None: Validity agrees with JTS on every isValid case of the suite.
	// An entry would read, e.g.:
	// "misc-TestValid.xml#1": "near-parallel edges 4e-15 apart; ...",
}

// jtsMinPolygonalAgreement is the bar for Polygon and MultiPolygon
// cases.
const jtsMinPolygonalAgreement = 0.99

type jtsRun struct {
	Cases []jtsCase `xml:"case"`
}

type jtsCase struct {
	Desc  string `xml:"desc"`
	A     string `xml:"a"`
	Tests []struct {
		Op struct {
			Name   string `xml:"name,attr"`
			Arg1   string `xml:"arg1,attr"`
			Result string `xml:",chardata"`
		} `xml:"op"`
	} `xml:"test"`
}

// jtsValidCase is one isValid case.
type jtsValidCase struct {
	Key   string // file#case
	Desc  string
	WKT   string
	Valid bool // JTS's expected isValid
}

func loadJTSValidCases(tb testing.TB) []jtsValidCase {
	tb.Helper()
	files, err := filepath.Glob("testdata/jts/*.xml")
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Skip("testdata/jts has no XML files")
	}
	var out []jtsValidCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var run jtsRun
		if err := xml.Unmarshal(b, &run); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for i, c := range run.Cases {
			for _, t := range c.Tests {
				if t.Op.Name != "isValid" {
					continue
				}
				if t.Op.Arg1 != "" && !strings.EqualFold(t.Op.Arg1, "A") {
					tb.Fatalf("%s#%d: isValid of %q, want A", f, i+1, t.Op.Arg1)
				}
				var valid bool
				switch strings.TrimSpace(t.Op.Result) {
				case "true":
					valid = true
				case "false":
				default:
					tb.Fatalf("%s#%d: isValid result %q", f, i+1, t.Op.Result)
				}
				out = append(out, jtsValidCase{
					Key:   fmt.Sprintf("%s#%d", filepath.Base(f), i+1),
					Desc:  strings.Join(strings.Fields(c.Desc), " "),
					WKT:   strings.TrimSpace(c.A),
					Valid: valid,
				})
			}
		}
	}
	return out
}

// jtsNaN stands in for NaN while simplefeatures parses the WKT (it rejects
// the NaN literal JTS writes); no case uses this value.
const jtsNaN = 1.2345678901234567e300

var (
	nanRE        = regexp.MustCompile(`\bNaN\b`)
	linearRingRE = regexp.MustCompile(`^(?i)LINEARRING\b`)
)

// parseJTSWKT reads a JTS WKT into orb without validating it. LINEARRING
// becomes an orb.Ring and NaN a NaN coordinate.
func parseJTSWKT(wkt string) (orb.Geometry, error) {
	ring := linearRingRE.MatchString(wkt)
	if ring {
		wkt = linearRingRE.ReplaceAllString(wkt, "LINESTRING")
	}
	hasNaN := nanRE.MatchString(wkt)
	if hasNaN {
		wkt = nanRE.ReplaceAllString(wkt, fmt.Sprint(jtsNaN))
	}
	sg, err := geom.UnmarshalWKT(wkt, geom.NoValidate{})
	if err != nil {
		return nil, err
	}
	g := fromSF(sg)
	if ring {
		g = orb.Ring(g.(orb.LineString))
	}
	if hasNaN {
		nan := func(v float64) float64 {
			if v == jtsNaN {
				return math.NaN()
			}
			return v
		}
		g = Transform(g, func(x, y float64) (float64, float64) { return nan(x), nan(y) })
	}
	return g, nil
}

func isPolygonal(g orb.Geometry) bool {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	}
	return false
}

func TestJTSValidity(t *testing.T) {
	cases := loadJTSValidCases(t)
	type tally struct{ agree, total int }
	var polygonal, other tally
	for _, c := range cases {
		g, err := parseJTSWKT(c.WKT)
		if err != nil {
			// Every case of the suite parses; a new file that does not
			// must be looked at, not skipped.
			t.Errorf("%s: cannot parse WKT: %v\n%s", c.Key, err, c.WKT)
			continue
		}
		msg, at := Validity(g)
		got := msg == ""
		tl := &other
		if isPolygonal(g) {
			tl = &polygonal
		}
		tl.total++
		if !got && at != nil {
			// "at or near" must be near: inside the geometry's bounds.
			if b := fullBound(g); !b.Contains(*at) {
				t.Errorf("%s: location %v of %q is outside the geometry's bounds %v", c.Key, *at, msg, b)
			}
		}
		if got == c.Valid {
			tl.agree++
			if reason, ok := jtsKnownDisagreements[c.Key]; ok {
				t.Errorf("%s: listed as a disagreement (%s) but now agrees with JTS (isValid %v); drop it from jtsKnownDisagreements", c.Key, reason, c.Valid)
			}
			continue
		}
		if _, ok := jtsKnownDisagreements[c.Key]; ok {
			continue
		}
		t.Errorf("%s (%s): JTS isValid %v, Validity says %q\n%s", c.Key, c.Desc, c.Valid, msg, c.WKT)
	}
	keys := map[string]bool{}
	for _, c := range cases {
		keys[c.Key] = true
	}
	var unknown []string
	for k := range jtsKnownDisagreements {
		if !keys[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		t.Errorf("%s: listed in jtsKnownDisagreements but there is no such isValid case", k)
	}
	if polygonal.total == 0 {
		t.Fatal("no polygonal isValid cases")
	}
	ratio := float64(polygonal.agree) / float64(polygonal.total)
	t.Logf("JTS isValid agreement: polygonal %d/%d (%.2f%%), other types %d/%d, %d listed disagreement(s)",
		polygonal.agree, polygonal.total, 100*ratio, other.agree, other.total, len(jtsKnownDisagreements))
	if ratio < jtsMinPolygonalAgreement {
		t.Errorf("polygonal agreement %d/%d = %.2f%% is below %.0f%%", polygonal.agree, polygonal.total, 100*ratio, 100*jtsMinPolygonalAgreement)
	}
}

// TestJTSInvalidMessages checks that every JTS-invalid polygonal case gets
// a message that says what is wrong, in words a reviewer can act on.
func TestJTSInvalidMessages(t *testing.T) {
	words := regexp.MustCompile(`ring|part|coordinate|position|hole|interior|spike|itself|overlap`)
	for _, c := range loadJTSValidCases(t) {
		if c.Valid {
			continue
		}
		g, err := parseJTSWKT(c.WKT)
		if err != nil || !isPolygonal(g) {
			continue
		}
		msg, _ := Validity(g)
		if msg == "" {
			continue // reported by TestJTSValidity
		}
		if !words.MatchString(msg) || strings.Contains(msg, "validating") {
			t.Errorf("%s (%s): message %q does not say what is wrong", c.Key, c.Desc, msg)
		}
	}
}

// fullBound is the bound of every position of g (orb's Polygon.Bound
// covers the exterior ring only).
func fullBound(g orb.Geometry) orb.Bound {
	var b orb.Bound
	first := true
	eachPoint(g, func(p orb.Point) bool {
		if first {
			b, first = p.Bound(), false
		} else {
			b = b.Extend(p)
		}
		return true
	})
	return b
}

// TestJTSRelateInputsValid: the relate suites (upstream validate/) run on
// valid inputs, so Validity must accept each of their A and B geometries.
func TestJTSRelateInputsValid(t *testing.T) {
	files, err := filepath.Glob("testdata/jts/validate-*.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("testdata/jts has no validate-*.xml files (they are committed)")
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var run struct {
			Cases []struct {
				Desc string `xml:"desc"`
				A    string `xml:"a"`
				B    string `xml:"b"`
			} `xml:"case"`
		}
		if err := xml.Unmarshal(b, &run); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, c := range run.Cases {
			for arg, wkt := range map[string]string{"A": c.A, "B": c.B} {
				if strings.TrimSpace(wkt) == "" {
					continue
				}
				g, err := parseJTSWKT(strings.TrimSpace(wkt))
				if err != nil {
					t.Errorf("%s#%d %s: cannot parse WKT: %v", filepath.Base(f), i+1, arg, err)
					continue
				}
				n++
				if msg, _ := Validity(g); msg != "" {
					t.Errorf("%s#%d %s (%s): Validity says %q", filepath.Base(f), i+1, arg, strings.Join(strings.Fields(c.Desc), " "), msg)
				}
			}
		}
	}
	t.Logf("%d relate input geometries, all valid", n)
}

// nearParallel is misc/TestValid.xml#1: two edges 4e-15 apart; valid
// with exact arithmetic, "not simple" to simplefeatures' floating-point
// check.
var nearParallel = orb.Ring{
	{-86.3958130146539250, 114.3482370100377900},
	{55.7321237336437390, -44.8146215164960250},
	{87.9271046586986810, -10.5302909001479530},
	{87.9271046586986810, -10.5302909001479570},
	{138.3490775437400700, 43.1639042523018260},
	{64.7285128575111490, 156.9678884302379600},
	{-86.3958130146539250, 114.3482370100377900},
}

// TestValidityAllKinds is a smoke test over every orb geometry kind,
// including nil and empty shapes.
func TestValidityAllKinds(t *testing.T) {
	square := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	far := orb.Ring{{1000, 1000}, {1010, 1000}, {1010, 1010}, {1000, 1000}}
	tests := []struct {
		name string
		g    orb.Geometry
		msg  string // regexp; "" means valid
	}{
		{"nil", nil, ""},
		{"point", orb.Point{1, 2}, ""},
		{"NaN point", orb.Point{math.NaN(), 2}, `^coordinate NaN 2 is not a finite number$`},
		{"Inf in a polygon", orb.Polygon{{{0, 0}, {math.Inf(1), 0}, {1, 1}, {0, 0}}}, `^coordinate \+Inf 0 is not a finite number$`},
		{"empty multipoint", orb.MultiPoint{}, ""},
		{"multipoint with repeats", orb.MultiPoint{{1, 1}, {1, 1}}, ""},
		{"empty linestring", orb.LineString{}, ""},
		{"linestring", orb.LineString{{0, 0}, {1, 1}, {0, 1}, {1, 0}}, ""},
		{"one-point linestring", orb.LineString{{1, 1}}, `^LineString has fewer than 2 distinct positions`},
		{"multilinestring with a zero-length part", orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {2, 2}}}, `^MultiLineString part 2 has fewer than 2 distinct positions`},
		{"ring", square, ""},
		{"bow-tie ring", orb.Ring{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}, `^exterior ring crosses itself$`},
		{"empty polygon", orb.Polygon{}, ""},
		{"polygon of empty rings", orb.Polygon{{}, {}}, ""},
		{"empty shell, non-empty hole", orb.Polygon{{}, square}, `^exterior ring is empty but interior ring 1 is not$`},
		{"empty hole", orb.Polygon{square, {}}, ""},
		{"polygon", orb.Polygon{square, {{2, 2}, {2, 8}, {8, 8}, {8, 2}, {2, 2}}}, ""},
		{"unclosed", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}}, `^exterior ring is not closed`},
		{"two positions", orb.Polygon{square, {{1, 1}, {1, 1}}}, `^interior ring 1 has 2 position\(s\)`},
		{"near-parallel edges", orb.Polygon{nearParallel}, ""},
		{"near-parallel edges with a hole", orb.Polygon{nearParallel, {{0, 50}, {10, 50}, {10, 60}, {0, 50}}},
			`^exterior ring is nearly self-intersecting`},
		{"near-parallel edges in a MultiPolygon", orb.MultiPolygon{{nearParallel}, {far}}, `^MultiPolygon part 1: exterior ring is nearly self-intersecting`},
		{"empty multipolygon", orb.MultiPolygon{}, ""},
		{"multipolygon with an empty part", orb.MultiPolygon{{square}, {}, orb.Polygon{{}}}, ""},
		{"multipolygon with a bad part", orb.MultiPolygon{{square}, {{{20, 20}, {30, 30}, {30, 20}, {20, 30}, {20, 20}}}}, `^MultiPolygon part 2: exterior ring crosses itself$`},
		{"multipolygon parts nested", orb.MultiPolygon{{square}, {{{2, 2}, {8, 2}, {8, 8}, {2, 8}, {2, 2}}}}, `^MultiPolygon parts .*overlap`},
		{"collection", orb.Collection{orb.Point{1, 1}, orb.LineString{{0, 0}, {1, 1}}, orb.Polygon{square}, nil}, ""},
		{"empty collection", orb.Collection{}, ""},
		{"collection with a bad member", orb.Collection{orb.Point{1, 1}, orb.Collection{orb.LineString{{1, 1}, {1, 1}}}},
			`^GeometryCollection member 2: GeometryCollection member 1: LineString has fewer than 2 distinct positions`},
		{"bound", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, at := Validity(tc.g)
			if tc.msg == "" {
				if msg != "" {
					t.Errorf("Validity = %q at %v, want valid", msg, at)
				}
				return
			}
			if !regexp.MustCompile(tc.msg).MatchString(msg) {
				t.Errorf("Validity = %q, want %q", msg, tc.msg)
			}
		})
	}
}

// TestOrientExact checks the floating-point filter of orient against
// rational arithmetic on nearly collinear points, where plain float64
// determinants give wrong signs (Kettner et al., "Classroom examples of
// robustness problems in geometric computations").
func TestOrientExact(t *testing.T) {
	q, r := orb.Point{12, 12}, orb.Point{24, 24}
	ulp := math.Nextafter(0.5, 1) - 0.5
	n := 0
	for i := 0; i < 64; i++ {
		for j := 0; j < 64; j++ {
			p := orb.Point{0.5 + float64(i)*ulp, 0.5 + float64(j)*ulp}
			for _, tri := range [][3]orb.Point{{p, q, r}, {q, r, p}, {r, p, q}, {p, r, q}} {
				got, want := orient(tri[0], tri[1], tri[2]), orientExact(tri[0], tri[1], tri[2])
				if got != want {
					t.Fatalf("orient%v = %d, exact %d", tri, got, want)
				}
				n++
			}
		}
	}
	// Extreme magnitudes take the exact path without overflow.
	big, tiny := orb.Point{1e300, 1e300}, orb.Point{1e-300, 2e-300}
	if got := orient(orb.Point{0, 0}, big, orb.Point{-1e300, -1e300}); got != 0 {
		t.Errorf("collinear huge points: orient = %d", got)
	}
	if got, want := orient(orb.Point{0, 0}, tiny, orb.Point{1e-300, 1e-300}), orientExact(orb.Point{0, 0}, tiny, orb.Point{1e-300, 1e-300}); got != want || got == 0 {
		t.Errorf("tiny points: orient = %d, exact %d", got, want)
	}
	t.Logf("%d near-degenerate orientations agree with exact arithmetic", n)
}
