package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"
)

// Reports carry the run date; tests pin it the way a reproducible rerun
// does, so golden files do not change with the calendar.
func init() {
	os.Setenv("SOURCE_DATE_EPOCH", "1772323200") // 2026-03-01
}

// repoRoot is where a CI job runs plancheck.
const repoRoot = "../.."

// cztBaseline writes the --out directory of a check of fixtures/czt, run
// on 2026-01-10: the baseline the revision is compared with.
func cztBaseline(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "baseline")
	if _, stderr, code := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt"), "--out", dir, "--date", "2026-01-10", "--quiet"); code != exitFindings {
		t.Fatalf("baseline check: exit %d, stderr %s", code, stderr)
	}
	return dir
}

type reviewedFinding struct {
	Rule             string   `json:"rule"`
	Features         []string `json:"features"`
	Fingerprint      string   `json:"fingerprint"`
	State            *string  `json:"state"`
	Decision         *string  `json:"decision"`
	Waived           bool     `json:"waived"`
	FirstSeen        string   `json:"first_seen"`
	PreviousFeatures []string `json:"previous_features"`
}

func readFindings(t *testing.T, path string) []reviewedFinding {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Findings []reviewedFinding `json:"findings"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Findings
}

// The revision scenario of fixtures/czt-revision (see fixtures/revise):
// every state and every kind of decision, end to end through the CLI.
func TestRevisionAgainstBaseline(t *testing.T) {
	base := cztBaseline(t)
	out := filepath.Join(t.TempDir(), "revision")
	_, stderr, code := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt-revision"), "--baseline", base, "--out", out,
		"--date", "2026-03-01", "--quiet", "--path-base", repoRoot)
	// A new error (CS-0005 reclassified onto basic farmland) fails the gate.
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFindings, stderr)
	}
	type want struct {
		state, decision string
		waived          bool
		firstSeen       string
		previous        string
	}
	wants := map[string]want{
		"layer-overlap CS-0020,CS-PLANT-OZ-1":                          {"new", "", false, "2026-03-01", ""},
		"layer-overlap CS-0108,CS-PLANT-OVL-2":                         {"unchanged", "under-review", false, "2026-01-10", ""},
		"layer-overlap CS-0209,CS-PLANT-OVL-1R":                        {"unchanged", "", false, "2026-01-10", "CS-0209,CS-PLANT-OVL-1"},
		"construction-on-basic-farmland CS-0005,LU-0342":               {"new", "", false, "2026-03-01", ""},
		"construction-on-basic-farmland CS-PLANT-BF-1R,LU-0500":        {"unchanged", "accepted", true, "2026-01-10", "CS-PLANT-BF-1,LU-0500"},
		"construction-on-basic-farmland CS-PLANT-BF-1R,LU-0480":        {"unchanged", "", false, "2026-01-10", "CS-PLANT-BF-1,LU-0480"},
		"regional-prohibited CS-PLANT-RP-1,RG-0202":                    {"absent", "", false, "2026-01-10", ""},
		"regional-prohibited CS-PLANT-RP-1,RG-0215":                    {"absent", "", false, "2026-01-10", ""},
		"green-heart-prohibited ZZ-PLANT-GHP-1,GH-0068":                {"unchanged", "accepted", true, "2026-01-10", ""},
		"regional-prohibited ZZ-PLANT-RP-1,RG-0019":                    {"unchanged", "accepted", false, "2026-01-10", ""},
		"green-heart-restricted CS-PLANT-GHR-1,GH-0148":                {"updated", "", false, "2026-01-10", ""},
		"green-heart-restricted CS-PLANT-GHR-1,GH-0149":                {"unchanged", "", false, "2026-01-10", ""},
		"construction-outside-landuse-zone CS-PLANT-OZ-1,LU-0350":      {"updated", "", false, "2026-01-10", ""},
		"infrastructure-on-basic-farmland INF-PLANT-BF-1,LU-0280":      {"unchanged", "to-fix", false, "2026-01-10", ""},
		"decision-expired ZZ-PLANT-RP-1,RG-0019":                       {"new", "", false, "2026-03-01", ""},
		"decision-stale CS-PLANT-RP-1,RG-0202":                         {"new", "", false, "2026-03-01", ""},
		"infrastructure-timing-mismatch CSI-PLANT-TM-1,XTI-PLANT-TM-1": {"unchanged", "", false, "2026-01-10", ""},
	}
	counts := map[string]int{}
	for _, f := range readFindings(t, filepath.Join(out, "report.json")) {
		if f.State == nil {
			t.Fatalf("%s %v has no state", f.Rule, f.Features)
		}
		counts[*f.State]++
		key := f.Rule + " " + strings.Join(f.Features, ",")
		w, ok := wants[key]
		if !ok {
			continue
		}
		delete(wants, key)
		decision := ""
		if f.Decision != nil {
			decision = *f.Decision
		}
		got := want{*f.State, decision, f.Waived, f.FirstSeen, strings.Join(f.PreviousFeatures, ",")}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", key, got, w)
		}
	}
	for key := range wants {
		t.Errorf("no finding %s", key)
	}
	wantCounts := map[string]int{"new": 7, "updated": 5, "unchanged": 159, "absent": 2}
	for s, n := range wantCounts {
		if counts[s] != n {
			t.Errorf("%d %s findings, want %d (all: %v)", counts[s], s, n, counts)
		}
	}
	// Importing the revision's ledger as written changes no decision and
	// adds none: the decision on CS-PLANT-BF-1 (now CS-PLANT-BF-1R) moves
	// to the new id instead of gaining a twin.
	decisions := filepath.Join(t.TempDir(), "decisions.yaml")
	if err := os.WriteFile(decisions, mustRead(t, filepath.Join(repoRoot, "fixtures/czt-revision/decisions.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, "decisions", "import", filepath.Join(out, "ledger.xlsx"), "--into", decisions, "--date", "2026-03-02")
	if code != exitClean || !strings.Contains(stderr, " 0 added, 1 updated,") {
		t.Errorf("re-import of the revision's ledger: exit %d, %s", code, stderr)
	}
	if got := string(mustRead(t, decisions)); strings.Contains(got, "CS-PLANT-BF-1,") || !strings.Contains(got, "features: [changsha-master#CS-PLANT-BF-1R, land-use#LU-0500]") {
		t.Errorf("the stage-2 decision did not follow its finding:\n%s", got)
	}
	// Absent findings are written with the baseline's properties, the
	// two languages apart as the baseline had them.
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join(out, "conflicts.geojson")), &fc); err != nil {
		t.Fatal(err)
	}
	absent := 0
	for _, f := range fc.Features {
		if p := f.Properties; p["state"] == "absent" {
			absent++
			if zh, en := p["message_zh"].(string), p["message_en"].(string); zh == "" || strings.Contains(en, zh) || p["district"] == "" {
				t.Errorf("absent %v: message_zh %q, message_en %q, district %v", p["features"], zh, en, p["district"])
			}
		}
	}
	if absent != 2 {
		t.Errorf("%d absent features in conflicts.geojson, want 2", absent)
	}
	for _, name := range []string{"report.json", "report.md", "conflicts.geojson"} {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "revision."+name, []byte(strings.ReplaceAll(string(data), base, "BASELINE")))
	}
	stdout, _, _ := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt-revision"), "--baseline", base, "--format", "sarif",
		"--date", "2026-03-01", "--quiet", "--path-base", repoRoot)
	golden(t, "revision.sarif", []byte(stdout))
	if err := validateSARIF(t, []byte(stdout)); err != nil {
		t.Errorf("SARIF with baseline states and suppressions breaks the OASIS schema: %v", err)
	}
	for _, s := range []string{`"baselineGuid"`, `"baselineState": "absent"`, `"baselineState": "updated"`, `"status": "accepted"`, `"status": "underReview"`} {
		if !strings.Contains(stdout, s) {
			t.Errorf("SARIF has no %s", s)
		}
	}
	if !strings.Contains(stdout, `"uri": "fixtures/czt-revision/layers/changsha-master.geojson"`) {
		t.Errorf("SARIF URIs are not relative to the repository root")
	}
}

// With a baseline, --fail-on counts only what the run introduces: the
// bundled set checked against its own report is clean, though it holds
// planted errors.
func TestBaselineGate(t *testing.T) {
	base := cztBaseline(t)
	stdout, stderr, code := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt"), "--baseline", base, "--fail-on", "info", "--quiet", "--format", "json")
	if code != exitClean {
		t.Fatalf("exit %d, want %d (every finding unchanged); stderr %s", code, exitClean, stderr)
	}
	var rep struct {
		Date     string `json:"date"`
		Baseline struct {
			Date string `json:"date"`
		} `json:"baseline"`
		Summary struct {
			ByState map[string]int `json:"by_state"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Date != "2026-03-01" || rep.Baseline.Date != "2026-01-10" || rep.Summary.ByState["unchanged"] == 0 ||
		rep.Summary.ByState["new"]+rep.Summary.ByState["updated"]+rep.Summary.ByState["absent"] != 0 {
		t.Errorf("got date %s, baseline date %s, states %v", rep.Date, rep.Baseline.Date, rep.Summary.ByState)
	}
}

func TestBaselineErrors(t *testing.T) {
	empty := t.TempDir()
	onlyReport := t.TempDir()
	if err := os.WriteFile(filepath.Join(onlyReport, "report.json"), []byte(`{"command":"check","findings":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	set := filepath.Join(repoRoot, "fixtures/czt")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no report", []string{"--baseline", empty}, "has no report.json"},
		{"no conflicts.geojson", []string{"--baseline", onlyReport}, "has report.json but no conflicts.geojson"},
		{"bad date", []string{"--date", "2026-13-01"}, `--date "2026-13-01" is not a date`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, append([]string{"check", set, "--quiet"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestDecisionsFileErrorsStopTheRun(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot, "fixtures/czt-revision"), dir)
	if err := os.WriteFile(filepath.Join(dir, "decisions.yaml"), []byte("decisions:\n  - rule: layer-overlap\n    features: [a#1]\n    status: accepted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "check", dir, "--quiet")
	// The error names the file as it can be opened from here, like a
	// manifest error; findings name it as the manifest does.
	want := filepath.ToSlash(filepath.Join(dir, "decisions.yaml")) + ":2: an accepted decision needs its basis"
	if code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestDecisionsInit(t *testing.T) {
	base := cztBaseline(t)
	stdout, stderr, code := runCLI(t, "decisions", "init", "--from", base, "--date", "2026-03-01")
	if code != exitClean {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	golden(t, "decisions-init.yaml", []byte(strings.ReplaceAll(stdout, base, "BASELINE")))
	// The skeleton reads as an empty decisions file, and an uncommented
	// entry reads as a decision.
	dir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot, "fixtures/czt"), dir)
	skeleton := strings.Replace(stdout, "  # - rule: layer-overlap\n  #   features: [changsha-master#CS-0108, changsha-master#CS-PLANT-OVL-2]\n  #   status: under-review\n",
		"  - rule: layer-overlap\n    features: [changsha-master#CS-0108, changsha-master#CS-PLANT-OVL-2]\n    status: under-review\n", 1)
	if skeleton == stdout {
		t.Fatal("skeleton has no layer-overlap entry for CS-0108")
	}
	if err := os.WriteFile(filepath.Join(dir, "decisions.yaml"), []byte(skeleton), 0o644); err != nil {
		t.Fatal(err)
	}
	appendManifest(t, dir, "decisions: decisions.yaml\n")
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := runCLI(t, "check", dir, "--out", out, "--quiet"); code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	n := 0
	for _, f := range readFindings(t, filepath.Join(out, "report.json")) {
		if f.Decision != nil {
			n++
			if *f.Decision != "under-review" || strings.Join(f.Features, ",") != "CS-0108,CS-PLANT-OVL-2" {
				t.Errorf("decision %s on %v", *f.Decision, f.Features)
			}
		}
		if f.Rule == "decision-stale" {
			t.Errorf("stale decision: %v", f.Features)
		}
	}
	if n != 1 {
		t.Errorf("%d findings with a decision, want 1", n)
	}
	if _, _, code := runCLI(t, "decisions", "init", "--from", base, "--out", filepath.Join(dir, "decisions.yaml")); code != exitUsage {
		t.Errorf("decisions init over an existing file: exit %d, want %d", code, exitUsage)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func appendManifest(t *testing.T, dir, text string) {
	t.Helper()
	p := filepath.Join(dir, "plancheck.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, text...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// validateSARIF checks a log against the official SARIF 2.1.0 schema
// (kept in rules/report/testdata), formats included.
func validateSARIF(t *testing.T, data []byte) error {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "rules/report/testdata/sarif-schema-2.1.0.json"))
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
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// The Excel round trip as bureaus work: the ledger goes out, a reviewer
// fills 处理状态, 依据文号, 协调方式 and 有效期至 in Excel, decisions import
// reads it back into decisions.yaml, and the next run waives those
// findings.
func TestLedgerRoundTrip(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot, "fixtures/czt"), dir)
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := runCLI(t, "check", dir, "--out", out, "--quiet", "--date", "2026-03-01"); code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ledger := filepath.Join(out, "ledger.xlsx")
	x, err := excelize.OpenFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	const sheet = "冲突台账"
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"编号", "冲突类型", "处理状态", "依据文号", "协调方式", "处理意见", "有效期至"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("ledger has no %s column: %v", h, rows[0])
		}
	}
	set := func(row int, header string, v any) {
		cell, _ := excelize.CoordinatesToCellName(col[header]+1, row)
		if err := x.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	// Accept every construction-on-basic-farmland finding; put one
	// layer-overlap under review; leave the rest.
	accepted, review := map[string]bool{}, ""
	for i, r := range rows[1:] {
		row := i + 2
		switch r[col["冲突类型"]] {
		case "construction-on-basic-farmland":
			set(row, "处理状态", "同意保留")
			set(row, "依据文号", "国函〔2024〕12号")
			set(row, "协调方式", "依法调整基本农田")
			set(row, "有效期至", "2027-12-31")
			accepted[r[col["编号"]]] = true
		case "layer-overlap":
			if review == "" {
				set(row, "处理意见", "边界待核实")
				review = r[col["编号"]]
			}
		}
	}
	if len(accepted) == 0 || review == "" {
		t.Fatal("the bundled set has no farmland or overlap findings to decide")
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
	x.Close()
	decisions := filepath.Join(dir, "decisions.yaml")
	_, stderr, code := runCLI(t, "decisions", "import", ledger, "--into", decisions, "--date", "2026-03-02", "--by", "长沙市自然资源和规划局")
	if code != exitClean {
		t.Fatalf("import: exit %d, %s", code, stderr)
	}
	// A row it cannot place (a status it does not know) is named on
	// stderr with exit 1; the rows it can place are merged all the same,
	// and a repeated import changes nothing.
	y0, err := excelize.OpenFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	x = y0
	badRow := 0
	for i, r := range rows[1:] {
		if c := r[col["冲突类型"]]; c != "construction-on-basic-farmland" && c != "layer-overlap" {
			badRow = i + 2
			set(badRow, "处理状态", "已办结")
			break
		}
	}
	if err := x.SaveAs(filepath.Join(out, "ledger-bad.xlsx")); err != nil {
		t.Fatal(err)
	}
	x.Close()
	before := mustRead(t, decisions)
	_, stderr, code = runCLI(t, "decisions", "import", filepath.Join(out, "ledger-bad.xlsx"), "--into", decisions, "--date", "2026-03-02")
	if code != exitFindings || !strings.Contains(stderr, fmt.Sprintf("row %d: 处理状态 \"已办结\"", badRow)) || !strings.Contains(stderr, " 0 added, 0 updated,") {
		t.Errorf("import with an unknown status: exit %d, %s", code, stderr)
	}
	if after := mustRead(t, decisions); !bytes.Equal(before, after) {
		t.Errorf("a repeated import changed the decisions file")
	}
	appendManifest(t, dir, "decisions: decisions.yaml\n")
	out2 := filepath.Join(t.TempDir(), "out2")
	if _, stderr, code := runCLI(t, "check", dir, "--out", out2, "--quiet", "--date", "2026-03-05"); code == exitUsage {
		t.Fatalf("second run: %s", stderr)
	}
	waived := 0
	for _, f := range readFindings(t, filepath.Join(out2, "report.json")) {
		switch {
		case accepted[f.Fingerprint]:
			if !f.Waived || f.Decision == nil || *f.Decision != "accepted" {
				t.Errorf("%v: not waived after the import", f.Features)
			}
			waived++
		case f.Fingerprint == review:
			if f.Waived || f.Decision == nil || *f.Decision != "under-review" {
				t.Errorf("%v: want under review, not waived", f.Features)
			}
		case f.Rule == "decision-stale" || f.Rule == "decision-expired":
			t.Errorf("unexpected %s: %v", f.Rule, f.Features)
		case f.Waived:
			t.Errorf("%v waived without a decision", f.Features)
		}
	}
	if waived != len(accepted) {
		t.Errorf("%d findings waived, want %d", waived, len(accepted))
	}
	// The next ledger shows the decisions.
	y, err := excelize.OpenFile(filepath.Join(out2, "ledger.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	rows2, _ := y.GetRows(sheet)
	shown := 0
	for _, r := range rows2[1:] {
		if accepted[r[col["编号"]]] && r[col["依据文号"]] == "国函〔2024〕12号" && r[col["状态"]] == "已豁免" {
			shown++
		}
	}
	if shown != len(accepted) {
		t.Errorf("%d ledger rows show the accepted decision, want %d", shown, len(accepted))
	}
}

// explain knows a bureau's own rules (--manifest) and the review step's
// warnings, which a report can cite.
func TestExplainCustomAndReviewRules(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot, "fixtures/czt"), dir)
	yamlText, _, _ := runCLI(t, "rules", "--yaml")
	custom := strings.Replace(yamlText, "name: construction-on-basic-farmland", "name: cs-farmland", 1)
	if err := os.WriteFile(filepath.Join(dir, "myrules.yaml"), []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _ := os.ReadFile(filepath.Join(dir, "plancheck.yaml"))
	if err := os.WriteFile(filepath.Join(dir, "plancheck.yaml"), []byte(strings.Replace(string(m), "rules: default", "rules: myrules.yaml", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := runCLI(t, "explain", "cs-farmland", "--manifest", filepath.Join(dir, "plancheck.yaml")); code != exitClean || !strings.HasPrefix(out, "cs-farmland (error)") {
		t.Errorf("explain a custom rule: exit %d, %q %s", code, firstLines([]byte(out), 2), stderr)
	}
	if _, _, code := runCLI(t, "explain", "cs-farmland"); code != exitUsage {
		t.Errorf("a custom rule without --manifest: exit %d, want %d", code, exitUsage)
	}
	for _, name := range []string{"decision-stale", "decision-expired"} {
		if out, _, code := runCLI(t, "explain", name); code != exitClean || !strings.Contains(out, "协调意见") {
			t.Errorf("explain %s: exit %d, %q", name, code, firstLines([]byte(out), 3))
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
