package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/rules"
)

func TestGeoJSONReadsBack(t *testing.T) {
	r := changsha()
	var buf bytes.Buffer
	if err := GeoJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	// orb/geojson would need go.mongodb.org/mongo-driver in go.sum; plain
	// encoding/json is enough to read the file back.
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" {
		t.Errorf("type %q", fc.Type)
	}
	fs := sortedFindings(r)
	if len(fc.Features) != len(fs) {
		t.Fatalf("%d features, want %d", len(fc.Features), len(fs))
	}
	// One Feature per line, between the opening and the closing line.
	if lines := strings.Count(buf.String(), "\n"); lines != len(fs)+2 {
		t.Errorf("%d lines, want %d", lines, len(fs)+2)
	}
	for i, feat := range fc.Features {
		f := fs[i]
		// Every finding is a MultiPolygon: the patch, a marker around a
		// point or line, the envelope of an invalid geometry, the extent
		// of the layers of a layer-level finding.
		var want string
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
			want = "patch"
		case orb.LineString, orb.Point:
			want = "marker"
		case nil:
			want = "extent"
			if f.At != nil {
				want = "marker"
			}
		}
		if feat.Geometry == nil || feat.Geometry.Type != "MultiPolygon" || feat.Properties["geometry_kind"] != want {
			t.Errorf("feature %d (%s): geometry %v, kind %v, want a MultiPolygon %s", i, f.Rule, feat.Geometry, feat.Properties["geometry_kind"], want)
		}
		if feat.Properties["fingerprint"] != f.Fingerprint() || feat.Properties["rule"] != f.Rule || feat.Properties["severity"] != f.Severity.String() {
			t.Errorf("feature %d: properties %v", i, feat.Properties)
		}
	}

	// The exact property keys, in order.
	first := strings.Split(buf.String(), "\n")[1]
	_, props, _ := strings.Cut(first, `"properties":`)
	var keys []string
	dec := json.NewDecoder(strings.NewReader(props))
	dec.Token() // {
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v json.RawMessage
		dec.Decode(&v)
	}
	want := []string{"rule", "severity", "layers", "features", "classes", "area_m2", "length_m", "message", "fingerprint",
		"layer_a", "feature_a", "class_a", "layer_b", "feature_b", "class_b", "message_zh", "message_en", "geometry_kind", "at_lon", "at_lat"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("property keys %v, want %v", keys, want)
	}
}

func TestGeoJSONRounding(t *testing.T) {
	r := &rules.Result{Findings: []rules.Finding{{
		Rule: "r", Layers: []string{"a"}, Features: []string{"1"},
		AreaM2: 1234.5678, LengthM: -0.001,
		Geometry: orb.Polygon{{{112.123456789, 28.000000049}, {112.2, 28.1}, {-0.00000001, 28.99999999}, {112.123456789, 28.000000049}}},
	}}}
	var buf bytes.Buffer
	if err := GeoJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"coordinates":[[[[112.1234568,28],[112.2,28.1],[0,29],[112.1234568,28]]]]`,
		`"area_m2":1234.57`,
		`"length_m":0.00`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, buf.String())
		}
	}
}

func TestGeoJSONRejectsNaN(t *testing.T) {
	nan := 0.0
	nan /= nan
	r := &rules.Result{Findings: []rules.Finding{
		{Rule: "r", Geometry: orb.Point{nan, 28}},
		{Rule: "r", Geometry: orb.Polygon{{{112, 28}, {112.1, 28}, {nan, 28.1}, {112, 28}}}},
	}}
	var buf bytes.Buffer
	if err := GeoJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "NaN") || !json.Valid(buf.Bytes()) {
		t.Errorf("a NaN coordinate was written:\n%s", buf.String())
	}
	// The polygon's finite positions give its envelope; the lone NaN
	// point has none, so it gets the extent of everything else.
	for _, want := range []string{`"geometry_kind":"envelope"`, `"geometry_kind":"extent"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %s:\n%s", want, buf.String())
		}
	}
}

func TestJSONSummary(t *testing.T) {
	r := changsha()
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary struct {
			ByRule map[string]struct {
				Count int `json:"count"`
			} `json:"by_rule"`
			BySeverity map[string]int `json:"by_severity"`
		} `json:"summary"`
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	for _, ri := range r.Rules {
		if _, ok := rep.Summary.ByRule[ri.Name]; !ok {
			t.Errorf("by_rule lacks %s", ri.Name)
		}
	}
	if c := rep.Summary.ByRule["construction-on-basic-farmland"].Count; c != 2 {
		t.Errorf("construction-on-basic-farmland count = %d, want 2", c)
	}
	if s := rep.Summary.BySeverity; s["error"] != 3 || s["warning"] != 3 || s["info"] != 1 {
		t.Errorf("by_severity = %v", s)
	}
	for _, f := range rep.Findings {
		if f["rule"] == "invalid-geometry" {
			if f["file"] != "layers/land-use.geojson" || f["line"] != 42.0 {
				t.Errorf("validate finding: file %v line %v", f["file"], f["line"])
			}
			if at, _ := f["at"].([]any); len(at) != 2 || at[0] != 112.9812346 || at[1] != 28.1509877 {
				t.Errorf("validate finding: at %v", f["at"])
			}
		} else if _, ok := f["file"]; ok {
			t.Errorf("finding %v has a file", f["rule"])
		}
	}
}

func TestJUnitStructure(t *testing.T) {
	r := changsha()
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != len(r.Rules) {
		t.Fatalf("%d suites, want one per rule (%d)", len(doc.Suites), len(r.Rules))
	}
	if doc.Tests != 8 || doc.Failures != 3 {
		t.Errorf("tests=%d failures=%d, want 8 and 3 (7 findings, 1 empty rule; only errors fail under --fail-on error)", doc.Tests, doc.Failures)
	}
	for i, s := range doc.Suites {
		if s.Name != r.Rules[i].Name {
			t.Errorf("suite %d is %s, want %s", i, s.Name, r.Rules[i].Name)
		}
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d for %d cases", s.Name, s.Tests, len(s.Cases))
		}
		switch s.Name {
		case "near-term-in-restricted-zone":
			if len(s.Cases) != 1 || s.Cases[0].Failure != nil || s.Cases[0].Name != "no findings" {
				t.Errorf("empty rule: %+v", s.Cases)
			}
		case "horizon-mismatch":
			if len(s.Cases) != 1 || s.Cases[0].Failure != nil || !strings.Contains(s.Cases[0].SystemOut, "2030") {
				t.Errorf("info finding: %+v", s.Cases)
			}
		case "construction-in-green-heart":
			for _, c := range s.Cases {
				if c.Failure != nil || !strings.Contains(c.SystemOut, "not a failure: warning is below --fail-on error") {
					t.Errorf("warning finding under --fail-on error: %+v", c)
				}
			}
			if !strings.Contains(s.Cases[0].SystemOut, "<script>") {
				t.Error("the escaped message does not read back")
			}
		}
	}
}

func TestTextClosingLine(t *testing.T) {
	cases := []struct {
		name string
		sev  []rules.Severity
		want string
	}{
		{"none", nil, "0 findings"},
		{"one", []rules.Severity{rules.Error}, "1 finding: 1 error, 0 warnings"},
		{"mixed", []rules.Severity{rules.Error, rules.Warning, rules.Warning, rules.Info}, "4 findings: 1 error, 2 warnings, 1 info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &rules.Result{}
			for _, s := range tc.sev {
				r.Findings = append(r.Findings, rules.Finding{Rule: "r", Severity: s})
			}
			var buf bytes.Buffer
			if err := Text(&buf, r); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if got := lines[len(lines)-1]; got != tc.want {
				t.Errorf("closing line %q, want %q", got, tc.want)
			}
		})
	}
}

func ExampleText() {
	r := &rules.Result{
		Tool: "plancheck", Version: "0.3.0", Command: "check", PlanSet: "changsha-2035", Asof: 2025,
		Rules: []rules.RuleInfo{{Name: "construction-on-basic-farmland", Severity: rules.Error}},
		Findings: []rules.Finding{{
			Rule: "construction-on-basic-farmland", Severity: rules.Error,
			Layers: []string{"changsha-master", "land-use"}, Features: []string{"R-12", "F-3"},
			AreaM2: 1234.5, Message: "residential land on basic farmland", MessageZH: "居住用地占用基本农田",
		}},
	}
	Text(os.Stdout, r)
	// Output:
	// plancheck 0.3.0  check  changsha-2035  asof 2025
	//
	// error  construction-on-basic-farmland  changsha-master#R-12 × land-use#F-3  1234.50 m²  居住用地占用基本农田 / residential land on basic farmland
	//
	// construction-on-basic-farmland  1 finding  1234.50 m²
	// 1 finding: 1 error, 0 warnings
}

// junitFailures counts the <failure> elements of JUnit XML and returns
// the testsuites element's failures attribute.
func junitFailures(t *testing.T, data []byte) (elements, attr int) {
	t.Helper()
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, s := range doc.Suites {
		sum += s.Failures
		for _, c := range s.Cases {
			if c.Failure != nil {
				elements++
			}
		}
	}
	if sum != doc.Failures {
		t.Errorf("suites add up to %d failures, testsuites says %d", sum, doc.Failures)
	}
	return elements, doc.Failures
}

// TestJUnitFailOn: failures are exactly the findings --fail-on counts
// (Result.CountAtOrAbove), for every level, with and without a baseline.
func TestJUnitFailOn(t *testing.T) {
	plain := changsha()
	reviewed := changsha()
	reviewed.Baseline = &rules.BaselineInfo{Dir: "base", GUID: "g"}
	states := []string{rules.StateNew, rules.StateUnchanged, rules.StateUpdated, rules.StateAbsent}
	for i := range reviewed.Findings {
		rv := &rules.Review{State: states[i%len(states)], FirstSeen: "2026-01-01"}
		if i == 0 {
			rv.State = rules.StateNew
			rv.Decision = &rules.Decision{Status: rules.DecisionAccepted, Basis: "国函〔2024〕12号"}
			rv.Waived = true
		}
		reviewed.Findings[i].Review = rv
	}
	for _, c := range []struct {
		name string
		r    *rules.Result
	}{{"plain", plain}, {"baseline", reviewed}} {
		for _, sev := range []rules.Severity{rules.Error, rules.Warning, rules.Info} {
			t.Run(c.name+"/"+sev.String(), func(t *testing.T) {
				var buf bytes.Buffer
				if err := JUnitFailOn(&buf, c.r, sev); err != nil {
					t.Fatal(err)
				}
				el, attr := junitFailures(t, buf.Bytes())
				if want := c.r.CountAtOrAbove(sev); el != want || attr != want {
					t.Errorf("%d <failure> elements, failures=%d; want %d (CountAtOrAbove)", el, attr, want)
				}
			})
		}
	}
	var buf bytes.Buffer
	if err := JUnit(&buf, reviewed); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"not a failure: waived by an accepted decision", "not a failure: resolved since the baseline (absent)", "state: new", "decision: accepted (国函〔2024〕12号)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JUnit does not say %q", want)
		}
	}
}

// TestCIPathsFromSourceRoot: JUnit and GitHub name files from where
// plancheck runs.
func TestCIPathsFromSourceRoot(t *testing.T) {
	r := changsha()
	r.SourceRoot = "fixtures/changsha"
	for name, w := range map[string]writer{"junit": JUnit, "github": GitHub} {
		var buf bytes.Buffer
		if err := w(&buf, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "fixtures/changsha/layers/land-use.geojson") {
			t.Errorf("%s does not name fixtures/changsha/layers/land-use.geojson:\n%s", name, buf.String())
		}
	}
}

// TestTextReview: after a review step each line says the finding's state,
// and a last line counts them; without one the output is as before.
func TestTextReview(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, reviewedResult()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"\ninfo  waived  horizon-mismatch  changsha-master × land-use  -  ", "  absent  ", "  unchanged/to-fix  ",
		"since the baseline: 4 new, 3 updated, 4 unchanged, 1 resolved; 1 waived by accepted decisions\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := Text(&buf, consumers()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "since the baseline") || strings.Contains(buf.String(), "waived") {
		t.Error("review words without a review step")
	}
}
