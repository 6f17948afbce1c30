package main

// Regression tests of issue 18 ("nothing lost, nothing silent"), beside
// the hostile-input corpus of reliability_test.go: one test per item, on
// copies of fixtures/czt or small sets written here.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/geo"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// editFile rewrites one file of a plan set.
func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// insertFeatures puts features right after the opening line of a layer
// written one feature a line (as fixtures/czt is).
func insertFeatures(t *testing.T, path string, features ...string) {
	t.Helper()
	editFile(t, path, func(s string) string {
		head, rest, ok := strings.Cut(s, "\n")
		if !ok {
			t.Fatalf("%s is not one feature a line", path)
		}
		return head + "\n" + strings.Join(features, ",\n") + ",\n" + rest
	})
}

// jsonReport is what these tests read of --format json.
type jsonReport struct {
	Inputs []struct {
		Layer    string `json:"layer"`
		Features int    `json:"features"`
		Read     *int   `json:"read"`
		Checked  *int   `json:"checked"`
		Excluded *[]struct {
			Reason string `json:"reason"`
			Count  int    `json:"count"`
		} `json:"excluded"`
	} `json:"inputs"`
	Findings []jsonFinding `json:"findings"`
}

func readJSONReport(t *testing.T, stdout string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("--format json output is not JSON: %v\n%s", err, firstLines([]byte(stdout), 20))
	}
	return r
}

// checkAccounting: per layer, read = checked + the excluded counts, and
// each excluded feature has a finding of the rule its reason names.
func checkAccounting(t *testing.T, r jsonReport) {
	t.Helper()
	perRule := map[[2]string]int{} // layer, rule -> findings naming one feature
	for _, f := range r.Findings {
		if len(f.Layers) == 1 && len(f.Features) == 1 {
			perRule[[2]string{f.Layers[0], f.Rule}]++
		}
	}
	for _, in := range r.Inputs {
		if in.Read == nil || in.Checked == nil || in.Excluded == nil {
			t.Fatalf("layer %s: inputs lack read, checked or excluded", in.Layer)
		}
		sum := *in.Checked
		for _, e := range *in.Excluded {
			sum += e.Count
			if got := perRule[[2]string{in.Layer, e.Reason}]; got != e.Count {
				t.Errorf("layer %s: %d excluded as %s but %d %s findings", in.Layer, e.Count, e.Reason, got, e.Reason)
			}
		}
		if sum != *in.Read || *in.Read != in.Features {
			t.Errorf("layer %s: read %d, features %d, checked + excluded %d", in.Layer, *in.Read, in.Features, sum)
		}
	}
}

// TestEmptyGeometriesAreReported (item 1 and 2): empty geometries of every
// type no longer crash check (an empty MultiLineString in an
// infrastructure layer panicked in the corridor) nor vanish (an empty
// MultiPolygon did); each is a geometry-invalid finding, a null geometry a
// geometry-null warning, in check as in validate.
func TestEmptyGeometriesAreReported(t *testing.T) {
	dir := copyCZT(t)
	empty := map[string]string{
		"E-MLS": `{"type":"MultiLineString","coordinates":[]}`,
		"E-MP":  `{"type":"MultiPolygon","coordinates":[]}`,
		"E-P":   `{"type":"Polygon","coordinates":[]}`,
		"E-LS":  `{"type":"LineString","coordinates":[]}`,
		"E-MPT": `{"type":"MultiPoint","coordinates":[]}`,
		"E-GC":  `{"type":"GeometryCollection","geometries":[]}`,
		"E-MP2": `{"type":"MultiPolygon","coordinates":[[]]}`,
	}
	var infra []string
	for id, g := range empty {
		infra = append(infra, `{"type":"Feature","id":"`+id+`","properties":{"class":"road","width_m":20},"geometry":`+g+`}`)
	}
	slices.Sort(infra)
	infra = append(infra, `{"type":"Feature","id":"NULL-1","properties":{"class":"road","width_m":20},"geometry":null}`)
	insertFeatures(t, filepath.Join(dir, "layers", "changsha-infra.geojson"), infra...)
	insertFeatures(t, filepath.Join(dir, "layers", "changsha-master.geojson"),
		`{"type":"Feature","id":"CS-EMPTY-MP","properties":{"class":"M1"},"geometry":{"type":"MultiPolygon","coordinates":[]}}`)

	for _, cmd := range []string{"check", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, cmd, dir, "--format", "json", "--quiet")
			noPanic(t, stdout, stderr)
			if code != exitFindings {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			r := readJSONReport(t, stdout)
			found := map[string]string{}
			for _, f := range r.Findings {
				if len(f.Features) == 1 {
					found[f.Layers[0]+"#"+f.Features[0]] = f.Rule + ": " + f.Message
				}
			}
			for id := range empty {
				if got := found["changsha-infra#"+id]; !strings.HasPrefix(got, "geometry-invalid: ") {
					t.Errorf("changsha-infra#%s: %q, want a geometry-invalid finding", id, got)
				}
			}
			if got := found["changsha-master#CS-EMPTY-MP"]; !strings.HasPrefix(got, "geometry-invalid: ") || !strings.HasSuffix(got, "/ MultiPolygon has no polygons (an empty geometry); it takes part in no rule") {
				t.Errorf("changsha-master#CS-EMPTY-MP: %q", got)
			}
			if got := found["changsha-infra#NULL-1"]; !strings.HasPrefix(got, "geometry-null: ") {
				t.Errorf("changsha-infra#NULL-1: %q, want a geometry-null finding", got)
			}
			checkAccounting(t, r)
		})
	}
}

// TestFeatureAccounting is the invariant of item 2 as a property: on
// random layers of valid, invalid, empty and null features, every feature
// read is either checked or excluded, the numbers add up, and each
// excluded feature has its finding.
func TestFeatureAccounting(t *testing.T) {
	kinds := []func(r *rand.Rand, i int) string{
		func(r *rand.Rand, i int) string { return polygon(113+float64(i)*0.02, 28, 0.01) },
		func(r *rand.Rand, i int) string { return `null` },
		func(r *rand.Rand, i int) string { return `{"type":"MultiPolygon","coordinates":[]}` },
		func(r *rand.Rand, i int) string { return `{"type":"Polygon","coordinates":[]}` },
		func(r *rand.Rand, i int) string { return `{"type":"LineString","coordinates":[[113,28],[113.1,28.1]]}` },
		func(r *rand.Rand, i int) string {
			return `{"type":"Polygon","coordinates":[[[113,28],[113.01,28.01],[113.01,28],[113,28.01],[113,28]]]}` // bow tie
		},
		func(r *rand.Rand, i int) string {
			return `{"type":"Polygon","coordinates":[[[113,28],[113.01,28],[113.01,28.01]]]}`
		},
		func(r *rand.Rand, i int) string { return `{"type":"Point","coordinates":[113,28]}` },
	}
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 18))
			layer := func(prefix string) string {
				n := r.IntN(12)
				var fs []string
				for i := range n {
					fs = append(fs, feature(fmt.Sprintf("%s-%d", prefix, i), "R2", kinds[r.IntN(len(kinds))](r, i)))
				}
				return collection(fs...)
			}
			dir := writeTree(t, t.TempDir(), map[string]string{
				"plancheck.yaml": "name: accounting\nasof: 2026\nlayers:\n" +
					"  - {name: a, level: city-master, file: a.geojson}\n  - {name: b, level: city-master, file: b.geojson}\n",
				"a.geojson": layer("A"),
				"b.geojson": layer("B"),
			})
			stdout, stderr, code := runCLI(t, "check", dir, "--format", "json", "--quiet")
			noPanic(t, stdout, stderr)
			if code != exitClean && code != exitFindings {
				t.Fatalf("exit %d; stderr %s", code, stderr)
			}
			checkAccounting(t, readJSONReport(t, stdout))
		})
	}
}

// TestSettingsMustBeInRange (item 1): non-finite and out-of-range
// tolerances, and the min_area_m2 setting nothing read, stop the run
// naming the manifest line and what is allowed; a NaN reach no longer
// panics in the buffer.
func TestSettingsMustBeInRange(t *testing.T) {
	tests := []struct{ setting, want string }{
		{"boundary_reach_m: NaN", `plancheck.yaml:\d+: setting boundary_reach_m: "NaN" is not a number from 0 to 10000 m`},
		{"boundary_reach_m: .nan", `setting boundary_reach_m: ".nan" is not a number from 0 to 10000 m`},
		{"join_tolerance_m: Infinity", `setting join_tolerance_m: "Infinity" is not a number from 0 to 10000 m`},
		{"join_tolerance_m: -5", `setting join_tolerance_m: "-5" is not a number from 0 to 10000 m`},
		{"start_year_gap: NaN", `setting start_year_gap: "NaN" is not a whole number from 0 to 100 years`},
		{"start_year_gap: 2.5", `setting start_year_gap: "2.5" is not a whole number from 0 to 100 years`},
		{"min_area_m2: 50", `plancheck.yaml:\d+: min_area_m2 is not a manifest setting: give --min-area M2 to check, or min_area_m2 on a rule of a rules file`},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			dir := copyCZT(t)
			editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string {
				return s + "settings:\n  " + tt.setting + "\n"
			})
			stdout, stderr, code := runCLI(t, "check", dir, "--quiet")
			noPanic(t, stdout, stderr)
			if code != exitUsage || !regexp.MustCompile(tt.want).MatchString(stderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestEmptyLayerIsAWarning (item 2).
func TestEmptyLayerIsAWarning(t *testing.T) {
	dir := copyCZT(t)
	editFile(t, filepath.Join(dir, "layers", "stations.geojson"), func(string) string {
		return `{"type":"FeatureCollection","features":[]}`
	})
	stdout, _, _ := runCLI(t, "check", dir, "--format", "json", "--quiet")
	r := readJSONReport(t, stdout)
	n := 0
	for _, f := range r.Findings {
		if f.Rule == "layer-empty" {
			n++
			if f.Severity != "warning" || !slices.Equal(f.Layers, []string{"stations"}) || !strings.Contains(f.Message, "has no features") {
				t.Errorf("layer-empty finding %+v", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d layer-empty findings, want 1", n)
	}
	checkAccounting(t, r)
}

// findingsOf runs a command with --format json and returns its findings
// as comparable lines.
func findingsOf(t *testing.T, args ...string) []string {
	t.Helper()
	stdout, stderr, code := runCLI(t, append(args, "--format", "json", "--quiet")...)
	noPanic(t, stdout, stderr)
	if code != exitClean && code != exitFindings {
		t.Fatalf("%v: exit %d; stderr %s", args, code, stderr)
	}
	var out []string
	for _, f := range jsonFindings(t, stdout) {
		out = append(out, fmt.Sprintf("%s %s %v %v %s:%d %s", f.Severity, f.Rule, f.Layers, f.Features, f.File, f.Line, f.Message))
	}
	return out
}

// TestCheckShowsWhatValidateFinds (item 3): every input problem validate
// reports is in check's report too. A city-master layer declared in the
// wrong Gauss–Krüger zone (EPSG:4546 for 4547 data) lands far away:
// validate warns (layers-disjoint, crs-suspect), and check used to say
// nothing, reporting fewer conflicts as if all were well.
func TestCheckShowsWhatValidateFinds(t *testing.T) {
	edits := map[string]func(t *testing.T, dir string){
		"wrong zone": func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string {
				return strings.Replace(s, "crs: EPSG:4547", "crs: EPSG:4546", 1)
			})
		},
		// A copy of changsha-master as traced on a GCJ-02 basemap (高德):
		// every vertex moved by the published forward formulas.
		"GCJ-02 traced layer": func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "layers", "changsha-master.geojson"))
			if err != nil {
				t.Fatal(err)
			}
			pos := regexp.MustCompile(`\[(-?[0-9.]+),(-?[0-9.]+)\]`)
			traced := pos.ReplaceAllStringFunc(string(b), func(m string) string {
				p := pos.FindStringSubmatch(m)
				x, _ := strconv.ParseFloat(p[1], 64)
				y, _ := strconv.ParseFloat(p[2], 64)
				x, y = geo.WGS84ToGCJ02(x, y)
				return "[" + strconv.FormatFloat(x, 'f', 7, 64) + "," + strconv.FormatFloat(y, 'f', 7, 64) + "]"
			})
			writeTree(t, dir, map[string]string{"layers/traced.geojson": traced})
			editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string {
				return strings.Replace(s, "rules: default", "  - name: traced\n    level: city-master\n    file: layers/traced.geojson\nrules: default", 1)
			})
		},
		"null geometry and clockwise ring": func(t *testing.T, dir string) {
			insertFeatures(t, filepath.Join(dir, "layers", "changsha-master.geojson"),
				`{"type":"Feature","id":"CS-NULL","properties":{"class":"R2"},"geometry":null}`,
				`{"type":"Feature","id":"CS-CW","properties":{"class":"G1"},"geometry":{"type":"Polygon","coordinates":[[[112.5,27.5],[112.5,27.51],[112.51,27.51],[112.51,27.5],[112.5,27.5]]]}}`)
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			dir := copyCZT(t)
			edit(t, dir)
			validate := findingsOf(t, "validate", dir)
			check := findingsOf(t, "check", dir)
			if len(validate) == 0 {
				t.Fatal("validate found nothing; the case tests nothing")
			}
			for _, v := range validate {
				if !slices.Contains(check, v) {
					t.Errorf("validate finding missing from check: %s", v)
				}
			}
		})
	}
	t.Run("GCJ-02 layer is warned", func(t *testing.T) {
		dir := copyCZT(t)
		edits["GCJ-02 traced layer"](t, dir)
		check := strings.Join(findingsOf(t, "check", dir), "\n")
		if !strings.Contains(check, "warning crs-suspect [traced] [] layers/traced.geojson") || !strings.Contains(check, "GCJ-02") {
			t.Errorf("no GCJ-02 crs-suspect warning for the traced layer in check:\n%s", firstLines([]byte(check), 10))
		}
	})
	t.Run("wrong zone is warned", func(t *testing.T) {
		dir := copyCZT(t)
		edits["wrong zone"](t, dir)
		check := strings.Join(findingsOf(t, "check", dir), "\n")
		if !strings.Contains(check, "layers-disjoint [zhuzhou-master]") {
			t.Errorf("no layers-disjoint warning for zhuzhou-master in check:\n%s", check)
		}
	})
}

// TestManifestCrossChecks (item 3): what the manifest says about the set
// must hold in it.
func TestManifestCrossChecks(t *testing.T) {
	tests := []struct {
		name string
		edit func(s string) string
		code int
		want []string // regexps of stderr (exit 2) or of the check's findings
	}{
		{"unknown city code", func(s string) string { return strings.Replace(s, `city: "430100"`, `city: "439999"`, 1) }, exitUsage,
			[]string{`plancheck.yaml:\d+: layer "changsha-infra": city "439999" is not a boundary code of the set \(city codes of the set: 430100 长沙市, 430200 株洲市, 430300 湘潭市\)`}},
		// A district whose city is in the set is folded into that city by
		// the cross-city rules: the layer would take part in none, and
		// Xiangtan's lines would be compared with no Changsha plan.
		{"district code", func(s string) string { return strings.Replace(s, `city: "430100"`, `city: "430104"`, 1) }, exitUsage,
			[]string{`plancheck.yaml:\d+: layer "changsha-infra": city "430104" is 岳麓区, a part of 430100 长沙市; the cross-city rules compare the set's cities, not their parts: write city: "430100" \(city codes of the set: 430100 长沙市, 430200 株洲市, 430300 湘潭市\)`}},
		{"district name", func(s string) string { return strings.Replace(s, `city: "430100"`, `city: 岳麓区`, 1) }, exitUsage,
			[]string{`city "岳麓区" is 430104 岳麓区, a part of 430100 长沙市; .*: write city: "430100"`}},
		{"city by name", func(s string) string { return strings.Replace(s, `city: "430100"`, `city: 长沙市`, 1) }, exitUsage,
			[]string{`city "长沙市" is not a boundary code of the set; 长沙市 is the name of 430100: write city: "430100"`}},
		{"mapped id no feature has", func(s string) string {
			return strings.Replace(s, "{id: OBJECTID, class: YDDM}", "{id: OBJECTIDX, class: YDDM}", 1)
		}, exitUsage,
			[]string{`plancheck.yaml:23: layer "zhuzhou-master": fields.id names property "OBJECTIDX", which no feature of the layer has; did you mean "OBJECTID"\?`}},
		{"same file twice", func(s string) string {
			return strings.Replace(s, "rules: default", "  - name: stations-again\n    level: infrastructure\n    file: layers/stations.geojson\nrules: default", 1)
		}, exitFindings,
			[]string{`warning layers-same-file \[stations-again\] \[\] plancheck.yaml:\d+ .* / layer stations-again reads the same file as layer stations \(line \d+\); findings between them are doubled`}},
		{"backslash path", func(s string) string {
			return strings.Replace(s, "file: layers/regional.geojson", `file: layers\regional.geojson`, 1)
		}, exitUsage,
			[]string{`file layers\\regional.geojson does not exist \(paths in plancheck.yaml use /, also on Windows: write layers/regional.geojson\)`}},
		{"backslash rules path", func(s string) string {
			return strings.Replace(s, "rules: default", `rules: my\rules.yaml`, 1)
		}, exitUsage,
			[]string{`plancheck.yaml:\d+: rules file my\\rules.yaml does not exist \(paths in plancheck.yaml use /, also on Windows: write my/rules.yaml\)`}},
		{"tab on line 7", func(s string) string {
			lines := strings.Split(s, "\n")
			lines[6] = "\t" + lines[6]
			return strings.Join(lines, "\n")
		}, exitUsage, []string{`plancheck.yaml:7: not valid YAML: found a tab character`}},
		{"unclosed flow mapping", func(s string) string {
			return strings.Replace(s, "horizon: {base: 2008, target: 2020}", "horizon: {base: 2008, target: 2020", 1)
		}, exitUsage, []string{`plancheck.yaml:9: not valid YAML: did not find expected ',' or '}'`}},
		// An unclosed quote swallows the lines below it: the decoder
		// complained at line 51, where the swallowed text ends.
		{"unclosed quote", func(s string) string {
			return strings.Replace(s, "name: 长株潭 2030 (synthetic)", `name: "长株潭 2030 (synthetic)`, 1)
		}, exitUsage, []string{`plancheck.yaml:3: not valid YAML: a quoted text opened on this line is not closed, so it runs on into the lines below \(the decoder stopped at line 51: mapping values are not allowed in this context\)`}},
		{"unclosed quote in a flow mapping", func(s string) string {
			return strings.Replace(s, "horizon: {base: 2008, target: 2020}", `horizon: {base: "2008, target: 2020}`, 1)
		}, exitUsage, []string{`plancheck.yaml:9: not valid YAML: a quoted text opened on this line is not closed, so it runs on`}},
		{"unclosed quote on the last line", func(s string) string {
			return strings.Replace(s, "rules: default", `rules: 'default`, 1)
		}, exitUsage, []string{`plancheck.yaml:\d+: not valid YAML: a quoted text opened on this line is not closed \(found unexpected end of stream\)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyCZT(t)
			editFile(t, filepath.Join(dir, "plancheck.yaml"), tt.edit)
			stdout, stderr, code := runCLI(t, "check", dir, "--quiet", "--format", "json")
			noPanic(t, stdout, stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			text := stderr
			if code != exitUsage {
				text = strings.Join(findingsOf(t, "check", dir), "\n")
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(w).MatchString(text) {
					t.Errorf("output does not match %q:\n%s", w, firstLines([]byte(text), 20))
				}
			}
		})
	}
}

// TestMappedFieldMissingFromSomeFeatures (item 3): a feature without the
// property fields.id maps is a finding, not a silent "#270".
func TestMappedFieldMissingFromSomeFeatures(t *testing.T) {
	dir := copyCZT(t)
	editFile(t, filepath.Join(dir, "layers", "zhuzhou-master.geojson"), func(s string) string {
		return strings.Replace(s, `"OBJECTID":`, `"OBJECTID_OLD":`, 1)
	})
	check := strings.Join(findingsOf(t, "check", dir), "\n")
	if !regexp.MustCompile(`warning field-missing \[zhuzhou-master\] \[#0\] layers/zhuzhou-master.geojson:2 .* / feature has no "OBJECTID" property, which fields.id of layer zhuzhou-master maps; it is named #0 by its position`).MatchString(check) {
		t.Errorf("no field-missing warning for the first feature:\n%s", firstLines([]byte(check), 10))
	}
}

// TestRulesFileSelectorsAndKeys (item 3): selectors that match nothing
// are warnings at their line; a misspelt key names the key, the line and
// the keys allowed, not Go types.
func TestRulesFileSelectorsAndKeys(t *testing.T) {
	rulesFile := `rules:
  - name: custom-farmland
    severity: error
    doc: |
      custom farmland check

      Construction land of a misspelt layer, or of codes no class has, on basic farmland.
    a:
      - {layer: changsha-mastr, category: [construction]}
      - {level: city-master, code: ["X*"]}
    b: [{level: land-use, category: [basic-farmland]}]
    relation: overlaps
`
	t.Run("unmatched selectors", func(t *testing.T) {
		dir := copyCZT(t)
		writeTree(t, dir, map[string]string{"rules.yaml": rulesFile})
		editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string { return strings.Replace(s, "rules: default", "rules: rules.yaml", 1) })
		check := findingsOf(t, "check", dir)
		var got []string
		for _, f := range check {
			if strings.Contains(f, " selector-unmatched ") {
				got = append(got, f)
			}
		}
		want := []string{
			"warning selector-unmatched [] [] rules.yaml:9 规则 custom-farmland 的选择器 a {layer: changsha-mastr, category: [construction]} 未匹配到任何要素 / rule custom-farmland: selector a {layer: changsha-mastr, category: [construction]} matches no feature of the plan set; the rule finds nothing on that side",
			"warning selector-unmatched [] [] rules.yaml:10 规则 custom-farmland 的选择器 a {level: city-master, code: [X*]} 未匹配到任何要素 / rule custom-farmland: selector a {level: city-master, code: [X*]} matches no feature of the plan set; the rule finds nothing on that side",
		}
		if !slices.Equal(got, want) {
			t.Errorf("selector-unmatched findings\n got %q\nwant %q", got, want)
		}
		// Every format renders a finding without layers.
		for _, format := range []string{"text", "sarif", "github", "junit"} {
			stdout, stderr, _ := runCLI(t, "check", dir, "--quiet", "--format", format)
			noPanic(t, stdout, stderr)
			if !strings.Contains(stdout, "changsha-mastr") {
				t.Errorf("--format %s does not show the unmatched selector", format)
			}
		}
	})
	// An infinite min_area_m2 made the rule report nothing, silently.
	for _, v := range []string{".inf", ".nan", "-1"} {
		t.Run("min_area_m2 "+v, func(t *testing.T) {
			dir := copyCZT(t)
			writeTree(t, dir, map[string]string{"rules.yaml": strings.Replace(rulesFile, "    relation: overlaps", "    min_area_m2: "+v+"\n    relation: overlaps", 1)})
			editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string { return strings.Replace(s, "rules: default", "rules: rules.yaml", 1) })
			_, stderr, code := runCLI(t, "check", dir, "--quiet")
			want := "rules.yaml:2: rule 1 (custom-farmland): min_area_m2 "
			if code != exitUsage || !strings.Contains(stderr, want) || !strings.Contains(stderr, "want a finite number of m² >= 0") {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
			}
		})
	}
	t.Run("misspelt key", func(t *testing.T) {
		dir := copyCZT(t)
		writeTree(t, dir, map[string]string{"rules.yaml": strings.Replace(rulesFile, "{level: city-master", "{levle: city-master", 1)})
		editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string { return strings.Replace(s, "rules: default", "rules: rules.yaml", 1) })
		_, stderr, code := runCLI(t, "check", dir, "--quiet")
		want := `rules.yaml:10: unknown key "levle" in a selector (want level, layer, category, code, except_category, except_code, geometry)`
		if code != exitUsage || !strings.Contains(stderr, want) || strings.Contains(stderr, "rules.Selector") {
			t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
		}
	})
}

// TestUsageErrors (item 4 and 5): missing flag values, repeated flags,
// out-of-range --asof and --min-area, no command and a misspelt one are
// usage errors (exit 2) that say what is wrong; --help has no
// "(default: 0)" for --asof.
func TestUsageErrors(t *testing.T) {
	dir := copyCZT(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check", dir, "--out"}, "--out needs a value"},
		{[]string{"check", dir, "--format"}, "--format needs a value"},
		{[]string{"check", dir, "--out", "--format", "json"}, "--out needs a value"},
		{[]string{"check", dir, "--only", "regional", "--only", "land-use"}, "--only is given twice; give it once"},
		{[]string{"check", dir, "--asof", "1800"}, "--asof 1800 is not a year from 1900 to 2200"},
		{[]string{"check", dir, "--asof", "-1"}, "--asof -1 is not a year from 1900 to 2200"},
		{[]string{"check", dir, "--min-area", "NaN"}, "--min-area NaN: want a finite number of m² >= 0"},
		{[]string{"check", dir, "--min-area", "-1"}, "--min-area -1: want a finite number of m² >= 0"},
		{[]string{"check", dir, "--min-area", "Inf"}, "--min-area +Inf: want a finite number of m² >= 0"},
		{[]string{"validate", dir, "--asof", "0"}, "--asof 0 is not a year from 1900 to 2200"},
		{[]string{"chek", dir}, `unknown command "chek": did you mean check?`},
		// A misspelt flag last on the line is not a flag missing its value,
		// and flags urfave cannot parse print no help on standard output.
		{[]string{"check", dir, "--bogus"}, "check has no flag --bogus (see plancheck check --help)"},
		{[]string{"check", "--fromat", "json", dir}, "check has no flag --fromat: did you mean --format?"},
		{[]string{"validate", dir, "--only", "regional"}, "validate has no flag --only"},
		{[]string{"check", dir, "--asof", "2026.5"}, `--asof "2026.5": want a whole number`},
		{[]string{"check", dir, "--min-area", "abc"}, `--min-area "abc": want a number`},
		{[]string{"check", dir, "--timeout", "5"}, `--timeout "5": want a duration such as 90s or 10m`},
		{[]string{}, "USAGE:"},
		// Flags a command cannot do without: one line, no help on stdout.
		{[]string{"decisions", "init"}, "decisions init needs --from (see plancheck decisions init --help)"},
		{[]string{"decisions", "import", "ledger.xlsx"}, "decisions import needs --into"},
		{[]string{"tile", dir, "--tiles", "2"}, "tile needs --out"},
		{[]string{"tile", dir, "--out", "tiles"}, "tile needs --tiles"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cwd, _ := os.Getwd()
			t.Chdir(t.TempDir()) // a dangling --out must not write into "--"
			stdout, stderr, code := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", firstLines([]byte(stdout), 3))
			}
			if entries, _ := os.ReadDir("."); len(entries) > 0 {
				t.Errorf("the run wrote %s", entries[0].Name())
			}
			t.Chdir(cwd)
		})
	}
	stdout, _, _ := runCLI(t, "check", "--help")
	if !strings.Contains(stdout, "default: the manifest's asof, else the current year)") || strings.Contains(stdout, "(default: 0)") {
		t.Errorf("check --help on --asof:\n%s", stdout)
	}
}

// TestMessagesAUserTripsOver (item 5).
func TestMessagesAUserTripsOver(t *testing.T) {
	t.Run("GBK manifest", func(t *testing.T) {
		dir := copyCZT(t)
		editFile(t, filepath.Join(dir, "plancheck.yaml"), func(s string) string {
			gbk, err := simplifiedchinese.GBK.NewEncoder().String(s)
			if err != nil {
				t.Fatal(err)
			}
			return gbk
		})
		_, stderr, code := runCLI(t, "check", dir)
		if code != exitUsage || !strings.Contains(stderr, "plancheck.yaml:3: text is not UTF-8; it reads as GBK: \"name: 长株潭 2030 (synthetic)\" — re-save the file as UTF-8") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("a layer given as the plan set", func(t *testing.T) {
		dir := copyCZT(t)
		_, stderr, code := runCLI(t, "check", filepath.Join(dir, "layers", "cities.geojson"))
		if code != exitUsage || !strings.Contains(stderr, "this is a GeoJSON layer, not a plan set") || strings.Contains(stderr, `unknown key "type"`) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("plancheck.yml", func(t *testing.T) {
		dir := copyCZT(t)
		if err := os.Rename(filepath.Join(dir, "plancheck.yaml"), filepath.Join(dir, "plancheck.yml")); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runCLI(t, "check", dir)
		if code != exitUsage || !strings.Contains(stderr, "has no plancheck.yaml but has plancheck.yml: rename it to plancheck.yaml, or give --manifest") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("validate without --level", func(t *testing.T) {
		dir := copyCZT(t)
		_, stderr, code := runCLI(t, "validate", filepath.Join(dir, "layers", "regional.geojson"))
		if code != exitClean || !strings.Contains(stderr, "without --level only GeoJSON structure, geometry validity and coordinates were checked, not classes") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("full-width class code", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fw.geojson")
		if err := os.WriteFile(path, []byte(collection(feature("F-1", "Ｍ１", polygon(113, 28, 0.01)))), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, _, _ := runCLI(t, "validate", path, "--level", "city-master")
		if !strings.Contains(stdout, `unknown city-master class "Ｍ１" (GB 50137-2011); did you mean "M1"? (it is written in full-width characters`) {
			t.Errorf("no half-width suggestion:\n%s", stdout)
		}
	})
	t.Run("swapped lon/lat", func(t *testing.T) {
		var fs []string
		for i := range 30 {
			fs = append(fs, feature(fmt.Sprintf("S-%d", i), "R2", `{"type":"Polygon","coordinates":[[[28,113],[28.01,113],[28.01,113.01],[28,113.01],[28,113]]]}`))
		}
		path := filepath.Join(t.TempDir(), "swapped.geojson")
		if err := os.WriteFile(path, []byte(collection(fs...)), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, _, _ := runCLI(t, "validate", path, "--level", "city-master")
		if n := strings.Count(stdout, "read as latitude, longitude"); n != 1 {
			t.Errorf("%d swap hints, want 1:\n%s", n, firstLines([]byte(stdout), 5))
		}
		if !strings.Contains(stdout, "30 feature(s) have out-of-range coordinates that read as latitude, longitude") {
			t.Errorf("hint does not count the features:\n%s", firstLines([]byte(stdout), 5))
		}
	})
}

// TestTimingHorizonNamesTheManifest (item 6): findings at a manifest line
// name the manifest --manifest gave, not plancheck.yaml.
func TestTimingHorizonNamesTheManifest(t *testing.T) {
	dir := copyCZT(t)
	other := filepath.Join(dir, "plan-2030.yaml")
	if err := os.Rename(filepath.Join(dir, "plancheck.yaml"), other); err != nil {
		t.Fatal(err)
	}
	check := strings.Join(findingsOf(t, "check", "--manifest", other), "\n")
	// Locations only: crs-suspect's message (the set's GCJ-02 copy) tells
	// what to declare "in plancheck.yaml" whatever the manifest's name.
	if !strings.Contains(check, "timing-horizon [regional] [] plan-2030.yaml:6 ") || strings.Contains(check, "plancheck.yaml:") {
		t.Errorf("timing-horizon findings do not point at plan-2030.yaml:\n%s", firstLines([]byte(check), 10))
	}
}
