package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// explainSet writes a plan set whose rules file has a rule documented in
// fields and one documented the old way, in one text.
func explainSet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"plancheck.yaml":   "name: t\nrules: myrules.yaml\nlayers:\n  - {name: land-use, level: land-use, file: land-use.geojson}\nsettings: {join_tolerance_m: 250}\n",
		"land-use.geojson": `{"type":"FeatureCollection","features":[]}`,
		"myrules.yaml": `disable: [infrastructure-continuity]
rules:
  - name: cs-farmland
    severity: error
    doc:
      title: construction on Changsha's farmland
      title_zh: 长沙建设用地占用基本农田
      detects: >-
        Finds construction land (R*, M*)
        on 010.
      why: Farmland is protected.
      fix: Move it.
      text_zh: 建设用地占用基本农田，须调整。
    relation: overlaps
    a: [{level: city-master, category: [construction]}]
    b: [{level: land-use, category: [basic-farmland]}]
  - name: cs-old
    severity: warning
    doc: |
      documented the old way

      Finds what it finds.
      Fix: do something.

      旧式说明。
    relation: overlaps
    a: [{level: city-master}]
    b: [{level: land-use}]
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExplain(t *testing.T) {
	dir := explainSet(t)
	manifest := filepath.Join(dir, "plancheck.yaml")
	tests := []struct {
		name string
		args []string
		code int
		want string // the whole output, or with a leading "…" a part of it
	}{
		{"custom rule documented in fields", []string{"cs-farmland", "--manifest", manifest}, exitClean,
			"cs-farmland (error)\n\nconstruction on Changsha's farmland\n长沙建设用地占用基本农田\n\n" +
				"Detects\nFinds construction land (R*, M*) on 010.\n\nWhy it matters\nFarmland is protected.\n\n" +
				"Fix\nMove it.\n\n说明\n建设用地占用基本农田，须调整。\n"},
		{"custom rule documented in one text", []string{"cs-old", "--manifest", manifest}, exitClean,
			"cs-old (warning)\n\ndocumented the old way\n\nDetects\nFinds what it finds.\n\nFix\nDo something.\n\n说明\n旧式说明。\n"},
		{"--manifest names the plan set's directory", []string{"cs-farmland", "--manifest", dir}, exitClean, "…Move it."},
		{"a built-in rule the rules file disables", []string{"infrastructure-continuity", "--manifest", manifest}, exitClean, "…boundary_reach_m: 300 m"},
		{"the plan set's values of the settings", []string{"infrastructure-standard-mismatch", "--manifest", manifest}, exitClean,
			"…— how near a border end a line of the same class in the neighbouring city's plan must pass to join it\n\nSet in " + manifest + "\njoin_tolerance_m: 250 m\n"},
		{"settings a rule reads", []string{"infrastructure-timing-mismatch"}, exitClean,
			"…\n\nSettings (settings: in plancheck.yaml)\nboundary_reach_m: 300 m (0 to 10000 m) — "},
		{"the whole-year setting", []string{"infrastructure-timing-mismatch"}, exitClean, "…start_year_gap: 5 years (whole years, 0 to 100) — "},
		{"an input check", []string{"geometry-invalid"}, exitClean, "…要素几何无效\n\nDetects\n"},
		{"a review warning", []string{"decision-expired"}, exitClean, "…\n\nFix\nRenew the decision"},
		{"a custom rule without --manifest", []string{"cs-farmland"}, exitUsage, ""},
		{"an unknown rule", []string{"no-such-rule", "--manifest", manifest}, exitUsage, ""},
		{"a missing manifest", []string{"cs-farmland", "--manifest", filepath.Join(dir, "nope.yaml")}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := runCLI(t, append([]string{"explain"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			if part, ok := strings.CutPrefix(tt.want, "…"); ok {
				if !strings.Contains(out, part) {
					t.Errorf("output lacks %q:\n%s", part, out)
				}
			} else if out != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}
