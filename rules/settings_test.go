package rules_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
)

func doc(title string) rules.Doc { return rules.Doc{Title: title, Detects: "d"} }

func noop(context.Context, *rules.Pass) error { return nil }

func TestValidateRequires(t *testing.T) {
	a := &rules.Rule{Name: "a", Doc: doc("a"), Run: noop}
	b := &rules.Rule{Name: "b", Doc: doc("b"), Run: noop, Requires: []*rules.Rule{a}}
	a.Requires = []*rules.Rule{b} // a → b → a
	self := &rules.Rule{Name: "self", Doc: doc("self"), Run: noop}
	self.Requires = []*rules.Rule{self}
	base := &rules.Rule{Name: "base", Doc: doc("base"), Run: noop}
	twin := &rules.Rule{Name: "base", Doc: doc("another base"), Run: noop}
	undocumented := &rules.Rule{Name: "undocumented", Run: noop}
	reach := rules.Setting{Name: "reach_m", Default: 1, Max: 10, Unit: "m", Doc: "how far"}
	wider := reach
	wider.Max = 100
	tests := []struct {
		name string
		rs   []*rules.Rule
		want string // "" for valid
	}{
		{"a cycle", []*rules.Rule{a}, "a requires itself: a → b → a"},
		{"a cycle reached through another rule", []*rules.Rule{base, {Name: "c", Doc: doc("c"), Run: noop, Requires: []*rules.Rule{b}}}, "requires itself: b → a → b"},
		{"a rule requiring itself", []*rules.Rule{self}, "self requires itself: self → self"},
		{"a requirement named like a listed rule", []*rules.Rule{base, {Name: "d", Doc: doc("d"), Run: noop, Requires: []*rules.Rule{twin}}}, `duplicate rule "base"`},
		{"an undocumented requirement", []*rules.Rule{{Name: "e", Doc: doc("e"), Run: noop, Requires: []*rules.Rule{undocumented}}}, "undocumented: has no doc"},
		{"a nil requirement", []*rules.Rule{{Name: "f", Doc: doc("f"), Run: noop, Requires: []*rules.Rule{nil}}}, "requires a nil rule"},
		{"one setting declared two ways", []*rules.Rule{{Name: "g", Doc: doc("g"), Run: noop, Settings: []rules.Setting{reach}}, {Name: "h", Doc: doc("h"), Run: noop, Settings: []rules.Setting{wider}}}, "setting reach_m is declared differently"},
		{"a default out of range", []*rules.Rule{{Name: "i", Doc: doc("i"), Run: noop, Settings: []rules.Setting{{Name: "x", Default: 5, Max: 1, Unit: "m", Doc: "x"}}}}, "default 5 outside its range"},
		{"a setting without a doc", []*rules.Rule{{Name: "j", Doc: doc("j"), Run: noop, Settings: []rules.Setting{{Name: "x", Unit: "m"}}}}, "needs a unit and a doc"},
		{"a requirement shared by two rules", []*rules.Rule{{Name: "k", Doc: doc("k"), Run: noop, Requires: []*rules.Rule{base}}, {Name: "l", Doc: doc("l"), Run: noop, Requires: []*rules.Rule{base}}}, ""},
		{"the default set", rules.All(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.Validate(tt.rs)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate: %v, want %q", err, tt.want)
			}
			if strings.Contains(tt.want, "requires itself") {
				if _, err := rules.Run(context.Background(), &planning.PlanSet{}, tt.rs, rules.Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Run: %v, want %q", err, tt.want)
				}
			}
		})
	}
}

// A provider runs once, before the rules requiring it, also when the set
// does not list it; they read its result typed. Its findings are not
// reported unless it is listed.
func TestRunRequires(t *testing.T) {
	var ran []string
	count := rules.NewProvider(&rules.Rule{Name: "count", Doc: doc("count"), Severity: rules.Info}, func(ctx context.Context, pass *rules.Pass) (int, error) {
		ran = append(ran, "count")
		pass.Report(rules.Finding{Message: "from count"})
		return 42, nil
	})
	reader := func(name string) *rules.Rule {
		return &rules.Rule{Name: name, Doc: doc(name), Severity: rules.Warning, Requires: []*rules.Rule{count.Rule}, Run: func(ctx context.Context, pass *rules.Pass) error {
			ran = append(ran, name)
			n, err := count.Of(pass)
			if err != nil {
				return err
			}
			if n != 42 {
				t.Errorf("%s read %d", name, n)
			}
			pass.Report(rules.Finding{Message: name})
			return nil
		}}
	}
	stray := &rules.Rule{Name: "stray", Doc: doc("stray"), Run: func(ctx context.Context, pass *rules.Pass) error {
		_, err := count.Of(pass)
		return err
	}}
	undeclared := &rules.Rule{Name: "undeclared", Doc: doc("undeclared"), Run: func(ctx context.Context, pass *rules.Pass) error {
		pass.Setting(rules.StartYearGap)
		return nil
	}}
	tests := []struct {
		name     string
		rs       []*rules.Rule
		ran      []string
		findings []string
		err      string
	}{
		{"required, not listed", []*rules.Rule{reader("x"), reader("y")}, []string{"count", "x", "y"}, []string{"x", "y"}, ""},
		{"required and listed after", []*rules.Rule{reader("x"), count.Rule}, []string{"count", "x"}, []string{"from count", "x"}, ""},
		{"read without requiring", []*rules.Rule{count.Rule, stray}, []string{"count"}, nil, "stray: reads the result of count, which it does not require"},
		{"a setting not declared", []*rules.Rule{undeclared}, nil, nil, "undeclared reads setting start_year_gap, which it does not declare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			var progress []string
			fs, err := rules.Run(context.Background(), &planning.PlanSet{}, tt.rs, rules.Options{Progress: func(done, total int, rule string) {
				progress = append(progress, rule)
			}})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, f := range fs {
				msgs = append(msgs, f.Message)
			}
			slices.Sort(msgs)
			if !slices.Equal(ran, tt.ran) || !slices.Equal(msgs, tt.findings) {
				t.Errorf("ran %v, found %v; want %v, %v", ran, msgs, tt.ran, tt.findings)
			}
			if len(progress) != len(tt.rs)+1 {
				t.Errorf("progress %q: want one call per listed rule and one at the end", progress)
			}
		})
	}
}

// A rules file may not name a rule like one the built-in rules require:
// LoadRules would refuse the set (FuzzRulesFile: what ParseRulesFile
// accepts, LoadRules loads).
func TestRulesFileTakesNoRequiredName(t *testing.T) {
	for _, disable := range []string{"[]", "[infrastructure-continuity, infrastructure-standard-mismatch, infrastructure-timing-mismatch]"} {
		src := "disable: " + disable + "\nrules:\n  - {name: cross-border-ends, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{level: land-use}], b: [{level: land-use}]}\n"
		_, err := rules.ParseRulesFile([]byte(src), "r.yaml")
		if err == nil || !strings.Contains(err.Error(), "r.yaml:3: rule 1 (cross-border-ends): duplicate name: built-in rules require a rule of that name") {
			t.Errorf("disable: %s: %v", disable, err)
		}
	}
}

// The manifest accepts the settings its rule set declares: the default
// set's three tolerances, none a rules file's rules no longer read, and
// an unknown key is an error naming it and the known ones.
func TestManifestSettings(t *testing.T) {
	if got := rules.SettingsOf(rules.All()); len(got) != 3 || got[0].Name != "boundary_reach_m" || got[1].Name != "join_tolerance_m" || got[2].Name != "start_year_gap" {
		t.Errorf("SettingsOf(All()) = %+v, want boundary_reach_m, join_tolerance_m, start_year_gap", got)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("l.geojson", `{"type":"FeatureCollection","features":[]}`)
	write("no-cross-city.yaml", "disable: [infrastructure-continuity, infrastructure-standard-mismatch, infrastructure-timing-mismatch]\n")
	write("no-timing.yaml", "disable: [infrastructure-timing-mismatch]\n")
	write("broken.yaml", "rules: [\n")
	tests := []struct {
		name, rules, settings string
		want                  map[string]float64
		err                   string
	}{
		{"the default tolerances", "default", "boundary_reach_m: 100\n  join_tolerance_m: 250\n  start_year_gap: 3", map[string]float64{"boundary_reach_m": 100, "join_tolerance_m": 250, "start_year_gap": 3}, ""},
		{"an unknown key", "default", "reach: 100", nil, `plancheck.yaml:8: unknown setting "reach": no rule of the set reads it (want boundary_reach_m, join_tolerance_m, start_year_gap)`},
		{"min_area_m2", "default", "min_area_m2: 50", nil, "min_area_m2 is not a manifest setting"},
		{"out of range", "default", "start_year_gap: 2.5", nil, `setting start_year_gap: "2.5" is not a whole number from 0 to 100 years`},
		{"read only by a disabled rule", "no-timing.yaml", "start_year_gap: 3", nil, `unknown setting "start_year_gap": no rule of the set reads it (want boundary_reach_m, join_tolerance_m)`},
		{"the rules that read it still run", "no-timing.yaml", "join_tolerance_m: 250", map[string]float64{"join_tolerance_m": 250}, ""},
		{"no rule reads a setting", "no-cross-city.yaml", "boundary_reach_m: 100", nil, `unknown setting "boundary_reach_m": no rule of the set reads a setting`},
		{"a rules file that does not load", "broken.yaml", "boundary_reach_m: 100", map[string]float64{"boundary_reach_m": 100}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "name: t\nrules: " + tt.rules + "\nlayers:\n  - name: l\n    level: land-use\n    file: l.geojson\nsettings:\n  " + tt.settings + "\n"
			m, err := planning.ParseManifest([]byte(text), filepath.Join(dir, "plancheck.yaml"), planning.ManifestOptions{Settings: rules.ManifestSettings})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Settings) != len(tt.want) {
				t.Errorf("settings %v, want %v", m.Settings, tt.want)
			}
			for k, v := range tt.want {
				if m.Settings[k] != v {
					t.Errorf("settings %v, want %v", m.Settings, tt.want)
				}
			}
		})
	}
}

// A rule that several rules need computes its result once: they require
// it and read the result typed.
func ExampleNewProvider() {
	layers := rules.NewProvider(&rules.Rule{Name: "layer-count", Doc: rules.Doc{Title: "count the layers", Detects: "Counts the layers; reports nothing."}},
		func(ctx context.Context, pass *rules.Pass) (int, error) { return len(pass.Set.Layers), nil })
	tooFew := &rules.Rule{
		Name:     "too-few-layers",
		Doc:      rules.Doc{Title: "a plan set of one layer", Detects: "Reports a set with fewer than two layers: nothing to compare."},
		Severity: rules.Warning,
		Requires: []*rules.Rule{layers.Rule},
		Run: func(ctx context.Context, pass *rules.Pass) error {
			n, err := layers.Of(pass)
			if err != nil {
				return err
			}
			if n < 2 {
				pass.Report(rules.Finding{Message: fmt.Sprintf("%d layer(s)", n)})
			}
			return nil
		},
	}
	fs, err := rules.Run(context.Background(), &planning.PlanSet{}, []*rules.Rule{tooFew}, rules.Options{})
	fmt.Println(len(fs), fs[0].Rule, fs[0].Message, err)
	// Output: 1 too-few-layers 0 layer(s) <nil>
}
