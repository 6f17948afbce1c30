package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/review"
	"github.com/xuri/excelize/v2"
)

// reviewedResult is consumers() after a review step: a baseline, a decision of
// each kind, an absent finding and districts.
func reviewedResult() *rules.Result {
	r := consumers()
	r.Date = "2026-03-15"
	r.Baseline = &rules.BaselineInfo{Dir: "base", GUID: "g", Date: "2026-01-01"}
	states := []string{rules.StateNew, rules.StateUnchanged, rules.StateUpdated}
	for i := range r.Findings {
		r.Findings[i].Review = &rules.Review{State: states[i%3], FirstSeen: "2026-01-01"}
	}
	fs := r.Findings
	fs[0].Review.Decision = &rules.Decision{Status: rules.DecisionAccepted, Method: "依法调整", Opinion: "保留", Basis: "国函〔2024〕12号", Expires: "2027-12-31"}
	fs[0].Review.Waived = true
	fs[1].Review.Decision = &rules.Decision{Status: rules.DecisionToFix, Opinion: "=HYPERLINK(\"x\")"}
	fs[2].Review.State = rules.StateAbsent
	return r
}

func writeLedgerFile(t *testing.T, r *rules.Result) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Ledger(&buf, r); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ledger.xlsx")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

func TestLedger(t *testing.T) {
	r := reviewedResult()
	p, data := writeLedgerFile(t, r)
	var again bytes.Buffer
	if err := Ledger(&again, reviewedResult()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again.Bytes()) {
		t.Error("two ledgers of the same result differ")
	}
	x, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(ledgerSheet)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != strings.Join(LedgerColumns, ",") {
		t.Fatalf("header %s", got)
	}
	if len(rows) != len(r.Findings)+1 {
		t.Fatalf("%d rows for %d findings", len(rows)-1, len(r.Findings))
	}
	col := func(name string) int {
		for i, c := range LedgerColumns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	cell := func(row []string, name string) string {
		if i := col(name); i < len(row) {
			return row[i]
		}
		return ""
	}
	fs := sortedFindings(r)
	states := map[string]int{}
	for n, row := range rows[1:] {
		if cell(row, "序号") != strconv.Itoa(n+1) || cell(row, "编号") != fs[n].Fingerprint() {
			t.Errorf("row %d: 序号 %q 编号 %q", n+2, cell(row, "序号"), cell(row, "编号"))
		}
		states[cell(row, "状态")]++
		if fs[n].Review.Waived && (cell(row, "处理状态") != "同意保留" || cell(row, "依据文号") != "国函〔2024〕12号" || cell(row, "有效期至") != "2027-12-31" || cell(row, "协调方式") != "依法调整") {
			t.Errorf("waived row %q", row)
		}
		if cell(row, "首次发现") != "2026-01-01" {
			t.Errorf("row %d: 首次发现 %q", n+2, cell(row, "首次发现"))
		}
	}
	if states["已豁免"] != 1 || states["已消除"] != 1 || states["新增"] == 0 || states["持续"] == 0 {
		t.Errorf("states %v", states)
	}
	// Blank cells are absent, not empty strings.
	for n := range fs {
		if fs[n].Review.Decision != nil {
			continue
		}
		for _, name := range []string{"协调方式", "处理意见", "处理状态", "依据文号", "有效期至"} {
			ref, _ := excelize.CoordinatesToCellName(col(name)+1, n+2)
			if typ, err := x.GetCellType(ledgerSheet, ref); err != nil || typ != excelize.CellTypeUnset {
				t.Errorf("%s %s: type %v, want a blank cell", ref, name, typ)
			}
		}
	}
	props, err := x.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "plancheck 0.3.0" || props.Created != "2026-03-15T00:00:00Z" || props.Modified != "2026-03-15T00:00:00Z" {
		t.Errorf("doc props %+v", props)
	}
	app, err := x.GetAppProps()
	if err != nil {
		t.Fatal(err)
	}
	if app.Application != "plancheck 0.3.0" {
		t.Errorf("application %q", app.Application)
	}
	dvs, err := x.GetDataValidations(ledgerSheet)
	if err != nil || len(dvs) != 1 || !strings.Contains(dvs[0].Formula1, "同意保留,需整改,审查中") {
		t.Errorf("data validations %+v %v", dvs, err)
	}

	// decisions import reads it back: the decisions the ledger shows,
	// nothing from the resolved row.
	got, problems, err := review.ReadLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 || len(got) != 2 {
		t.Errorf("read back %+v, problems %q", got, problems)
	}
}

func TestLedgerNoDate(t *testing.T) {
	r := changsha()
	p, _ := writeLedgerFile(t, r)
	x, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	props, _ := x.GetDocProps()
	if props.Created != "" || props.Modified != "" || strings.Contains(props.Creator, "xuri") {
		t.Errorf("doc props without a run date: %+v", props)
	}
}

// TestLedgerDistricts: a layer-level finding names the districts its
// layers' extent meets, or 全域.
func TestLedgerDistricts(t *testing.T) {
	r := changsha()
	west, east := box(112.90, 28.10, 113.0, 28.30), box(113.0, 28.10, 113.10, 28.30)
	r.Map = append(r.Map, rules.MapLayer{Name: "boundary", Level: "boundary", Features: []orbGeometry{west, east}})
	r.Districts = []rules.District{
		{Layer: "boundary", ID: "1", Name: "岳麓区", Code: "430104", AreaM2: areaOf(west)},
		{Layer: "boundary", ID: "2", Name: "芙蓉区", Code: "430102", AreaM2: areaOf(east)},
	}
	r.Findings = append(r.Findings, rules.Finding{Rule: "horizon-mismatch", Severity: rules.Info, Layers: []string{"green-heart"}, Message: "east only"})
	p, _ := writeLedgerFile(t, r)
	x, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows(ledgerSheet)
	got := map[string]string{}
	for _, row := range rows[1:] {
		if row[3] == "horizon-mismatch" {
			got[row[13]] = row[4]
		}
	}
	if got["east only"] != "芙蓉区 (430102)" {
		t.Errorf("green-heart layer: 所在区县 %q, want 芙蓉区 (430102)", got["east only"])
	}
	for msg, d := range got {
		if msg != "east only" && d != "全域" {
			t.Errorf("%s: 所在区县 %q, want 全域", msg, d)
		}
	}
}

// TestLedgerInOpenpyxl: openpyxl in read-only (streaming) mode, as pandas
// reads large workbooks, sees every cell, the autofilter and the frozen
// header.
func TestLedgerInOpenpyxl(t *testing.T) {
	python := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("openpyxl not installed (apt-get install python3-openpyxl)")
	}
	r := reviewedResult()
	p, _ := writeLedgerFile(t, r)
	script := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb["冲突台账"]
rows = list(ws.iter_rows(values_only=True))
print(ws.calculate_dimension(), ws.max_row, ws.max_column, len(rows), sum(1 for r in rows for v in r if v is not None))
print("|".join(str(v) for v in rows[0]))
print(sum(1 for r in rows[1:] for v in r if v == ""))
full = openpyxl.load_workbook(sys.argv[1])
fs = full["冲突台账"]
print(fs.auto_filter.ref, fs.freeze_panes, fs["A1"].font.b, fs["A1"].fill.fgColor.rgb)
print(full.properties.creator, full.properties.created)
`
	out, err := exec.Command(python, "-c", script, p).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	n := len(r.Findings) + 1
	last := "T" + strconv.Itoa(n)
	if f := strings.Fields(lines[0]); len(f) < 4 || f[0] != "A1:"+last || f[1] != strconv.Itoa(n) || f[2] != "20" || f[3] != strconv.Itoa(n) {
		t.Errorf("read-only openpyxl sees %s, want A1:%s, %d rows, 20 columns", lines[0], last, n)
	}
	if lines[1] != strings.Join(LedgerColumns, "|") {
		t.Errorf("header %s", lines[1])
	}
	if lines[2] != "0" {
		t.Errorf("%s empty-string cells, want none", lines[2])
	}
	if !strings.HasPrefix(strings.ReplaceAll(lines[3], "$", ""), "A1:"+last+" A2 True") {
		t.Errorf("autofilter, panes, bold header: %s", lines[3])
	}
	if !strings.HasPrefix(lines[4], "plancheck 0.3.0 2026-03-15") {
		t.Errorf("properties: %s", lines[4])
	}
}

type orbGeometry = orb.Geometry

func areaOf(g orb.Geometry) float64 { return geo.AreaM2(g) }

// More findings than a worksheet's rows continue on 冲突台账 2, 3, …, 序号
// running on, each sheet with its header; decisions import reads every
// sheet. (A province's check gave 1.3 million findings, over the
// 1,048,575 rows a sheet holds under its header.)
func TestLedgerContinuesOnMoreSheets(t *testing.T) {
	saved := ledgerRowsPerSheet
	t.Cleanup(func() { ledgerRowsPerSheet = saved })
	ledgerRowsPerSheet = 2
	r := reviewedResult()
	n := len(r.Findings)
	if n < 5 {
		t.Fatalf("the result has %d findings; the test needs at least 5", n)
	}
	p, _ := writeLedgerFile(t, r)
	x, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if want := (n + 1) / 2; len(sheets) != want || sheets[0] != ledgerSheet || sheets[1] != ledgerSheet+" 2" {
		t.Fatalf("sheets %q, want %d from %s", sheets, want, ledgerSheet)
	}
	seq := 0
	for _, sheet := range sheets {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "序号" || len(rows) > 3 {
			t.Errorf("sheet %s: header %q, %d rows", sheet, rows[0][:2], len(rows))
		}
		for _, row := range rows[1:] {
			seq++
			if row[0] != strconv.Itoa(seq) {
				t.Errorf("sheet %s: 序号 %s, want %d", sheet, row[0], seq)
			}
		}
	}
	if seq != n {
		t.Errorf("%d rows over the sheets, want %d", seq, n)
	}
	// decisions import reads the last sheet too, naming it in problems.
	last := sheets[len(sheets)-1]
	col, _ := excelize.ColumnNumberToName(slices.Index(LedgerColumns, "有效期至") + 1)
	if err := x.SetCellValue(last, col+"2", "下个月"); err != nil {
		t.Fatal(err)
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
	got, problems, err := review.ReadLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "sheet "+last+" row 2") || !strings.Contains(problems[0], "下个月") {
		t.Errorf("read back %d rows, problems %q", len(got), problems)
	}
}
