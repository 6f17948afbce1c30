package review

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
	"github.com/xuri/excelize/v2"
)

// writeLedger writes a workbook the way a reviewer returns it: plancheck's
// header (columns in another order than plancheck writes them, to show
// they are found by name) and rows filled in Excel.
func writeLedger(t *testing.T, header []string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "冲突台账"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "ledger.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

var ledgerHeader = []string{"序号", "编号", "状态", "冲突类型", "图层A", "要素A", "图层B", "要素B", "协调方式", "处理意见", "处理状态", "依据文号", "有效期至"}

func fingerprintOf(rule string, refs ...string) string { return refsFingerprint(rule, refs) }

func TestReadLedger(t *testing.T) {
	fpA := fingerprintOf("construction-on-basic-farmland", "changsha-master#CS-0102", "land-use#LU-0480")
	fpB := fingerprintOf("timing-horizon")
	p := writeLedger(t, ledgerHeader, [][]any{
		{1, fpA, "新增", "construction-on-basic-farmland", "changsha-master", "CS-0102", "land-use", "LU-0480", "依法调整", "保留", "同意保留", "国函〔2024〕12号", "2027-12-31"},
		{2, fpB, "持续", "timing-horizon", "land-use", "", "", "", "", "修编中", "", "", ""},
		{3, "0123456789abcdef", "持续", "layer-overlap", "a", "1", "a", "2", "", "", "", "", ""}, // nothing decided
		{4, "not-a-fingerprint", "持续", "layer-overlap", "", "", "", "", "x", "", "需整改", "", ""},
		{5, "1111111111111111", "持续", "layer-overlap", "", "", "", "", "", "", "done", "", ""},
		{6, "2222222222222222", "持续", "layer-overlap", "", "", "", "", "", "", "accepted", "", ""},
		{7, "3333333333333333", "已消除", "layer-overlap", "", "", "", "", "", "", "需整改", "", ""},
		{8, "4444444444444444", "持续", "layer-overlap", "", "", "", "", "", "", "to-fix", "", "next year"},
		{9, "5555555555555555", "持续", "layer-overlap", "", "", "", "", "", "", "审查中", "", 46387}, // an Excel date cell
	})
	rows, problems, err := ReadLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("got %d rows %+v, want 3", len(rows), rows)
	}
	if r := rows[0]; r.Fingerprint != fpA || r.Status != rules.DecisionAccepted || r.Basis != "国函〔2024〕12号" || r.Expires != "2027-12-31" ||
		strings.Join(r.Features, ",") != "changsha-master#CS-0102,land-use#LU-0480" || r.Row != 2 {
		t.Errorf("row 2: %+v", r)
	}
	if r := rows[1]; r.Status != rules.DecisionUnderReview || r.Opinion != "修编中" || len(r.Features) != 0 {
		t.Errorf("row 3 (opinion without status is under review): %+v", r)
	}
	if r := rows[2]; r.Expires != "2026-12-31" || r.Status != rules.DecisionUnderReview {
		t.Errorf("row 10 (date cell): %+v", r)
	}
	wantProblems := []string{
		`row 5: 编号 "not-a-fingerprint" is not`,
		`row 6: 处理状态 "done" is not one of`,
		"row 7: 处理状态 accepted needs 依据文号",
		"row 8: finding 3333333333333333 is resolved",
		`row 9: 有效期至 "next year" is not a date`,
	}
	if len(problems) != len(wantProblems) {
		t.Fatalf("problems %q, want %d", problems, len(wantProblems))
	}
	for i, w := range wantProblems {
		if !strings.Contains(problems[i], w) {
			t.Errorf("problem %d: %q, want %q", i, problems[i], w)
		}
	}
}

func TestReadLedgerNotALedger(t *testing.T) {
	p := writeLedger(t, []string{"a", "b"}, nil)
	if _, _, err := ReadLedger(p); err == nil || !strings.Contains(err.Error(), "no 编号 column") {
		t.Errorf("got %v", err)
	}
	if _, _, err := ReadLedger(filepath.Join(t.TempDir(), "missing.xlsx")); err == nil {
		t.Error("a missing workbook gave no error")
	}
}

func TestMerge(t *testing.T) {
	existing := `# Decisions of the 长株潭 set.
decisions:
  # kept: a decision the ledger updates
  - rule: layer-overlap
    features: [changsha-master#CS-0108, changsha-master#CS-PLANT-OVL-2]
    status: under-review # to be settled
    date: 2026-02-10
  - fingerprint: 0123456789abcdef
    status: to-fix
`
	fpOverlap := fingerprintOf("layer-overlap", "changsha-master#CS-0108", "changsha-master#CS-PLANT-OVL-2")
	fpFarm := fingerprintOf("construction-on-basic-farmland", "changsha-master#CS-0102", "land-use#LU-0480")
	rows := []LedgerRow{
		{Row: 2, Fingerprint: fpOverlap, Rule: "layer-overlap", Features: []string{"changsha-master#CS-0108", "changsha-master#CS-PLANT-OVL-2"},
			Status: rules.DecisionAccepted, Basis: "长规函〔2026〕3号", Opinion: "边界按新测绘调整"},
		{Row: 3, Fingerprint: "0123456789abcdef", Status: rules.DecisionToFix},
		{Row: 4, Fingerprint: fpFarm, Rule: "construction-on-basic-farmland", Features: []string{"changsha-master#CS-0102", "land-use#LU-0480"},
			Status: rules.DecisionToFix, Method: "调整用地布局"},
		{Row: 5, Fingerprint: "fedcba9876543210", Rule: "timing-horizon", Status: rules.DecisionUnderReview},
	}
	out, st, err := Merge([]byte(existing), "decisions.yaml", rows, MergeOptions{Date: "2026-03-01", By: "长沙市自然资源和规划局"})
	if err != nil {
		t.Fatal(err)
	}
	if st != (MergeStats{Added: 2, Updated: 1, Unchanged: 1}) {
		t.Errorf("stats %+v", st)
	}
	text := string(out)
	for _, want := range []string{
		"# Decisions of the 长株潭 set.",
		"# kept: a decision the ledger updates",
		"status: accepted # to be settled",
		"basis: 长规函〔2026〕3号",
		"# 编号 " + fpFarm,
		"features: [changsha-master#CS-0102, land-use#LU-0480]",
		"fingerprint: fedcba9876543210",
		`date: "2026-03-01"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("merged file lacks %q:\n%s", want, text)
		}
	}
	// New entries come after the existing ones, ordered by rule.
	if i, j := strings.Index(text, "construction-on-basic-farmland"), strings.Index(text, "fedcba9876543210"); i < strings.Index(text, "0123456789abcdef") || j < i {
		t.Errorf("entries out of order:\n%s", text)
	}
	ds, err := ParseDecisions(out, "decisions.yaml")
	if err != nil || len(ds) != 4 {
		t.Fatalf("merged file reads back as %d decisions, %v", len(ds), err)
	}
	// Importing the same ledger again changes nothing.
	again, st2, err := Merge(out, "decisions.yaml", rows, MergeOptions{Date: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != text || st2.Added != 0 || st2.Updated != 0 {
		t.Errorf("second import changed the file (stats %+v):\n%s", st2, again)
	}
}

func TestMergeIntoSkeletonAndEmpty(t *testing.T) {
	rows := []LedgerRow{{Row: 2, Fingerprint: "0123456789abcdef", Status: rules.DecisionToFix}}
	for _, existing := range []string{"", "decisions:\n  # - rule: x\n"} {
		out, st, err := Merge([]byte(existing), "d.yaml", rows, MergeOptions{Date: "2026-03-01"})
		if err != nil {
			t.Fatalf("%q: %v", existing, err)
		}
		ds, err := ParseDecisions(out, "d.yaml")
		if err != nil || len(ds) != 1 || st.Added != 1 {
			t.Errorf("%q: merged %q reads as %v, %v", existing, out, ds, err)
		}
	}
	if _, _, err := Merge([]byte("decisions: [\n"), "d.yaml", rows, MergeOptions{}); err == nil {
		t.Error("a broken decisions file was merged into")
	}
}

// TestMergeFollowsRedigitisedFeatures: a finding matched to the baseline by
// its patch (new ids) carries the decision recorded against the old ids;
// importing its ledger row updates that entry and moves it to the new ids
// instead of adding a second entry for the same conflict.
func TestMergeFollowsRedigitisedFeatures(t *testing.T) {
	existing := `decisions:
  # 编号 old
  - rule: layer-overlap
    features: [changsha-master#CS-0108, land-use#LU-0031]
    status: under-review
  - fingerprint: ` + fingerprintOf("construction-on-basic-farmland", "changsha-master#CS-0102", "land-use#LU-0480") + `
    status: to-fix
`
	existing = strings.Replace(existing, "编号 old", "编号 "+fingerprintOf("layer-overlap", "changsha-master#CS-0108", "land-use#LU-0031"), 1)
	fpOverlap := fingerprintOf("layer-overlap", "changsha-master#CS-0108", "land-use#LU-0931")
	fpFarm := fingerprintOf("construction-on-basic-farmland", "changsha-master#CS-0902", "land-use#LU-0480")
	rows := []LedgerRow{
		{Row: 2, Fingerprint: fpOverlap, Rule: "layer-overlap", Features: []string{"changsha-master#CS-0108", "land-use#LU-0931"},
			PreviousFeatures: []string{"CS-0108", "LU-0031"}, Status: rules.DecisionUnderReview},
		{Row: 3, Fingerprint: fpFarm, Rule: "construction-on-basic-farmland", Features: []string{"changsha-master#CS-0902", "land-use#LU-0480"},
			PreviousFeatures: []string{"CS-0102", "LU-0480"}, Status: rules.DecisionToFix, Method: "调整用地布局"},
	}
	out, st, err := Merge([]byte(existing), "decisions.yaml", rows, MergeOptions{Date: "2026-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	if st != (MergeStats{Updated: 2}) {
		t.Errorf("stats %+v, want both rows updating their entries", st)
	}
	text := string(out)
	for _, want := range []string{"features: [changsha-master#CS-0108, land-use#LU-0931]", "# 编号 " + fpOverlap, "fingerprint: " + fpFarm, "method: 调整用地布局"} {
		if !strings.Contains(text, want) {
			t.Errorf("merged file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "LU-0031") || strings.Contains(text, "CS-0102") {
		t.Errorf("an entry still names the old ids:\n%s", text)
	}
	ds, err := ParseDecisions(out, "decisions.yaml")
	if err != nil || len(ds) != 2 {
		t.Fatalf("merged file reads back as %d decisions, %v", len(ds), err)
	}
	// Without the report's previous ids the rows are new conflicts.
	rows[0].PreviousFeatures, rows[1].PreviousFeatures = nil, nil
	if _, st, _ := Merge([]byte(existing), "decisions.yaml", rows, MergeOptions{}); st.Added != 2 {
		t.Errorf("without previous ids: stats %+v, want 2 added", st)
	}
}
