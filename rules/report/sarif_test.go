package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaFile is the official SARIF 2.1.0 schema; see testdata/README.md.
var sarifSchemaFile = filepath.Join("testdata", "sarif-schema-2.1.0.json")

// compileSARIFSchema compiles the official schema, asserting formats
// (uri, date-time) too.
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(sarifSchema, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(sarifSchema)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateSARIF(sch *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	cases := []struct {
		name string
		r    *rules.Result
	}{
		{"changsha", changsha()},
		{"empty", &rules.Result{}},
		{"unlisted rule", &rules.Result{Findings: []rules.Finding{{Rule: "ad-hoc", Severity: rules.Warning}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := SARIF(&buf, tc.r); err != nil {
				t.Fatal(err)
			}
			if err := validateSARIF(sch, buf.Bytes()); err != nil {
				t.Errorf("SARIF output does not validate: %v", err)
			}
		})
	}
}

// TestSARIFSchemaRejects makes sure the schema check can fail: broken
// variants of a valid log must be rejected.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compileSARIFSchema(t)
	var buf bytes.Buffer
	if err := SARIF(&buf, changsha()); err != nil {
		t.Fatal(err)
	}
	valid := buf.String()
	if err := validateSARIF(sch, buf.Bytes()); err != nil {
		t.Fatalf("the valid log does not validate: %v", err)
	}
	broken := []struct {
		name, old, new string
	}{
		{"wrong version", `"version": "2.1.0"`, `"version": "2.0.0"`},
		{"unknown level", `"level": "warning"`, `"level": "fatal"`},
		{"negative line", `"startLine": 42`, `"startLine": -1`},
		{"message.markdown not a string", `"message": {`, `"message": {"markdown": 1, `},
		{"unknown top-level property", `"runs": [`, `"extra": true, "runs": [`},
	}
	for _, b := range broken {
		t.Run(b.name, func(t *testing.T) {
			doc := strings.Replace(valid, b.old, b.new, 1)
			if doc == valid {
				t.Fatalf("%q not found in the SARIF output", b.old)
			}
			if err := validateSARIF(sch, []byte(doc)); err == nil {
				t.Error("the broken log validates; the schema test cannot fail")
			}
		})
	}
}

// TestSARIFContent checks what the schema cannot: rule indexes, levels,
// locations and fingerprints.
func TestSARIFContent(t *testing.T) {
	r := changsha()
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(r.Rules) {
		t.Errorf("%d rule descriptors, want %d", len(run.Tool.Driver.Rules), len(r.Rules))
	}
	for i, ri := range r.Rules {
		d := run.Tool.Driver.Rules[i]
		if d.ID != ri.Name || d.ShortDescription.Text != ri.Title || d.FullDescription.Text != ri.Doc || d.Help.Text != ri.Doc {
			t.Errorf("descriptor %d = %+v, want rule %s", i, d, ri.Name)
		}
	}
	fs := sortedFindings(r)
	if len(run.Results) != len(fs) {
		t.Fatalf("%d results, want %d", len(run.Results), len(fs))
	}
	for i, res := range run.Results {
		f := fs[i]
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID || res.RuleID != f.Rule {
			t.Errorf("result %d: ruleId %s, ruleIndex %d", i, res.RuleID, res.RuleIndex)
		}
		if want := map[rules.Severity]string{rules.Error: "error", rules.Warning: "warning", rules.Info: "note"}[f.Severity]; res.Level != want {
			t.Errorf("result %d: level %s, want %s", i, res.Level, want)
		}
		if res.PartialFingerprints["plancheck/v1"] != f.Fingerprint() {
			t.Errorf("result %d: fingerprint %v", i, res.PartialFingerprints)
		}
		loc := res.Locations[0]
		if (loc.PhysicalLocation != nil) != (f.Location.File != "") {
			t.Errorf("result %d: physicalLocation %+v for file %q", i, loc.PhysicalLocation, f.Location.File)
		}
		if len(f.Features) == 0 {
			if len(loc.LogicalLocations) != len(f.Layers) || loc.LogicalLocations[0].Name != f.Layers[0] {
				t.Errorf("result %d (layer-level): logicalLocations %+v", i, loc.LogicalLocations)
			}
			continue
		}
		for j, ll := range loc.LogicalLocations {
			if ll.Name != f.Features[j] || ll.FullyQualifiedName != f.Layers[j]+"/"+f.Features[j] || ll.Kind != "object" {
				t.Errorf("result %d: logicalLocation %d = %+v", i, j, ll)
			}
		}
	}
}
