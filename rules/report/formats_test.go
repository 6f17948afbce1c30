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
		if f.Geometry == nil {
			if feat.Geometry != nil {
				t.Errorf("feature %d: geometry %v, want null", i, feat.Geometry)
			}
		} else if feat.Geometry == nil || feat.Geometry.Type != f.Geometry.GeoJSONType() {
			t.Errorf("feature %d: geometry %v, want a %s", i, feat.Geometry, f.Geometry.GeoJSONType())
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
	want := []string{"rule", "severity", "layers", "features", "classes", "area_m2", "length_m", "message", "fingerprint"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("property keys %v, want %v", keys, want)
	}
}

func TestGeoJSONRounding(t *testing.T) {
	r := &rules.Result{Findings: []rules.Finding{{
		Rule: "r", Layers: []string{"a"}, Features: []string{"1"},
		AreaM2: 1234.5678, LengthM: -0.001,
		Geometry: orb.LineString{{112.123456789, 28.000000049}, {-0.00000001, 28.99999999}},
	}}}
	var buf bytes.Buffer
	if err := GeoJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"coordinates":[[112.1234568,28],[0,29]]`,
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
	r := &rules.Result{Findings: []rules.Finding{{Rule: "r", Geometry: orb.Point{nan, 28}}}}
	if err := GeoJSON(&bytes.Buffer{}, r); err == nil {
		t.Error("a NaN coordinate was written")
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
	if doc.Tests != 8 || doc.Failures != 6 {
		t.Errorf("tests=%d failures=%d, want 8 and 6 (7 findings, 1 empty rule; info passes)", doc.Tests, doc.Failures)
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
				if c.Failure == nil || c.Failure.Type != "warning" {
					t.Errorf("warning finding: %+v", c)
				}
			}
			if !strings.Contains(s.Cases[0].Failure.Text, "<script>") {
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
