package report

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
	"github.com/xuri/excelize/v2"
)

// districtRow is one line of the statistics by district × rule.
type districtRow struct {
	District string
	Code     string
	Rule     string
	Count    int
	AreaHa   string
	Share    string // percent of the district's area
}

func districtRows(r *rules.Result) []districtRow {
	out := make([]districtRow, 0, len(r.Statistics))
	for _, s := range r.Statistics {
		d := r.Districts[s.District]
		out = append(out, districtRow{
			District: d.Label(),
			Code:     d.Code,
			Rule:     s.Rule,
			Count:    s.Count,
			AreaHa:   hectares(s.AreaM2),
			Share:    strconv.FormatFloat(round(s.Share*100, 4), 'f', 4, 64),
		})
	}
	return out
}

// StatisticsCSV writes statistics.csv: per district × rule the number of
// findings touching the district, their area inside it in hectares and
// its share of the district's area. UTF-8 with a byte-order mark, so
// Excel opens the Chinese text correctly.
func StatisticsCSV(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	rows := [][]string{{"区县 district", "代码 code", "冲突类型 rule", "数量 count", "面积(公顷) area_ha", "占区县面积比例(%) share_pct"}}
	for _, d := range districtRows(r) {
		rows = append(rows, []string{csvSafe(d.District), csvSafe(d.Code), d.Rule, strconv.Itoa(d.Count), d.AreaHa, d.Share})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("report: writing statistics.csv: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// csvSafe keeps spreadsheet programs from evaluating user text as a
// formula (CSV injection).
func csvSafe(s string) string {
	s = clean(s)
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

// LedgerColumns are the columns of ledger.xlsx, the conflict ledger
// (冲突台账) Chinese planning bureaus keep, in order. decisions import reads
// the filled ledger back by these header texts.
var LedgerColumns = []string{
	"序号", "编号", "状态", "冲突类型", "所在区县",
	"图层A", "要素A", "用地类型A", "图层B", "要素B", "用地类型B",
	"面积(公顷)", "严重程度", "说明", "首次发现",
	"协调方式", "处理意见", "处理状态", "依据文号", "有效期至",
}

// ledgerWidths are the column widths, parallel to LedgerColumns.
var ledgerWidths = []float64{7, 18, 8, 34, 16, 16, 14, 12, 16, 14, 12, 12, 12, 60, 12, 18, 24, 10, 18, 12}

const ledgerSheet = "冲突台账"

// Ledger writes ledger.xlsx: one row per finding (absent ones too, 状态
// 已消除) in the LedgerColumns, for a bureau to circulate and fill in.
// 序号 numbers the rows from 1; 编号 is the fingerprint decisions import
// matches rows by. 所在区县 of a layer-level finding names the districts
// its layers' extent meets, or 全域 when that is all of them. 状态 and 首次发现
// come from the review loop, and 协调方式, 处理意见, 处理状态, 依据文号 and
// 有效期至 from a recorded decision; cells with nothing to say are blank (no
// cell), not empty strings. 处理状态 offers its three values in a list.
//
// The sheet is streamed (rows are not held as cells in memory), declares
// its true dimension so streaming readers see every cell, has a styled,
// frozen header row with an autofilter, and the document properties name
// plancheck and its version as creator and r.Date as created and modified
// date (no date when r.Date is ""), so the same input gives the same bytes.
func Ledger(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	f := excelize.NewFile()
	defer f.Close()
	wrap := func(err error) error { return fmt.Errorf("report: ledger: %w", err) }
	if err := setLedgerProps(f, r); err != nil {
		return wrap(err)
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE6F0"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F8FA6", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return wrap(err)
	}
	hectare, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0000")})
	if err != nil {
		return wrap(err)
	}
	// Long text wraps in its column rather than running over the next.
	wrapText, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return wrap(err)
	}
	districts := newLayerDistricts(r)
	// A worksheet holds 1,048,576 rows: a province's findings continue on
	// 冲突台账 2, 3, … (序号 runs on), which decisions import reads too.
	for part, first := 0, 0; part == 0 || first < len(fs); part, first = part+1, first+ledgerRowsPerSheet {
		sheet := ledgerSheetName(part)
		if part == 0 {
			err = f.SetSheetName("Sheet1", sheet)
		} else {
			_, err = f.NewSheet(sheet)
		}
		if err != nil {
			return wrap(err)
		}
		chunk := fs[first:min(first+ledgerRowsPerSheet, len(fs))]
		if err := writeLedgerSheet(f, sheet, r, chunk, first, ledgerStyles{header, hectare, wrapText}, districts); err != nil {
			return wrap(err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: writing ledger.xlsx: %w", err)
	}
	return nil
}

// ledgerRowsPerSheet is how many findings one sheet holds: a worksheet's
// 1,048,576 rows less the header. Tests lower it.
var ledgerRowsPerSheet = 1<<20 - 1

// ledgerSheetName is the name of the part'th sheet of the ledger.
func ledgerSheetName(part int) string {
	if part == 0 {
		return ledgerSheet
	}
	return ledgerSheet + " " + strconv.Itoa(part+1)
}

type ledgerStyles struct{ header, hectare, wrapText int }

// writeLedgerSheet streams the findings fs, numbered from first+1, into
// one sheet of the ledger.
func writeLedgerSheet(f *excelize.File, sheet string, r *rules.Result, fs []rules.Finding, first int, st ledgerStyles, districts *layerDistricts) error {
	lastCol, _ := excelize.ColumnNumberToName(len(LedgerColumns))
	lastRow := len(fs) + 1
	if err := f.SetSheetDimension(sheet, "A1:"+lastCol+strconv.Itoa(lastRow)); err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, "A1:"+lastCol+strconv.Itoa(lastRow), nil); err != nil {
		return err
	}
	statusCol, _ := excelize.ColumnNumberToName(slices.Index(LedgerColumns, "处理状态") + 1)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(statusCol + "2:" + statusCol + strconv.Itoa(max(lastRow, 2)))
	if err := dv.SetDropList([]string{
		rules.DecisionLabelsZH[rules.DecisionAccepted], rules.DecisionLabelsZH[rules.DecisionToFix], rules.DecisionLabelsZH[rules.DecisionUnderReview],
	}); err != nil {
		return err
	}
	if err := f.AddDataValidation(sheet, dv); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range ledgerWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	for _, name := range []string{"说明", "协调方式", "处理意见"} {
		col := slices.Index(LedgerColumns, name) + 1
		if err := sw.SetColStyle(col, col, st.wrapText); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(LedgerColumns))
	for i, c := range LedgerColumns {
		row[i] = c
	}
	if err := sw.SetRow("A1", row, excelize.RowOpts{StyleID: st.header}); err != nil {
		return err
	}
	for n, fd := range fs {
		get := func(s []string, i int) any {
			if i < len(s) {
				return blank(clean(s[i]))
			}
			return nil
		}
		district := blank(clean(fd.District))
		if district == nil && len(fd.Features) == 0 && len(r.Districts) > 0 {
			district = districts.of(fd.Layers)
		}
		var state, firstSeen, method, opinion, status, basis, expires any
		if rv := fd.Review; rv != nil {
			state, firstSeen = blank(rv.StateLabelZH()), blank(clean(rv.FirstSeen))
			if d := rv.Decision; d != nil {
				method, opinion, basis, expires = blank(clean(d.Method)), blank(clean(d.Opinion)), blank(clean(d.Basis)), blank(clean(d.Expires))
				status = blank(rules.DecisionLabelsZH[d.Status])
			}
		}
		values := []any{
			first + n + 1, fd.Fingerprint(), state, blank(clean(fd.Rule)), district,
			get(fd.Layers, 0), get(fd.Features, 0), get(fd.Classes, 0),
			get(fd.Layers, 1), get(fd.Features, 1), get(fd.Classes, 1),
			excelize.Cell{StyleID: st.hectare, Value: rules.Hectares(fd.AreaM2)}, severityZH(fd.Severity), blank(clean(message(fd))), firstSeen,
			method, opinion, status, basis, expires,
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// blank is s, or nil (no cell) for "".
func blank(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// setLedgerProps writes the document properties: plancheck and its
// version as creator and application, r.Date as the created and modified
// date. Without a date none is written (excelize's template says 2006),
// so the file depends on nothing but the Result.
func setLedgerProps(f *excelize.File, r *rules.Result) error {
	tool := strings.TrimSpace(clean(toolName(r)) + " " + clean(r.Version))
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	text := func(tag, v string) {
		b.WriteString("<" + tag + ">")
		xml.EscapeText(&b, []byte(v))
		b.WriteString("</" + tag + ">")
	}
	title := "冲突台账"
	if r.PlanSet != "" {
		title += " " + clean(r.PlanSet)
	}
	text("dc:title", title)
	text("dc:creator", tool)
	text("cp:lastModifiedBy", tool)
	if dateRE.MatchString(r.Date) {
		for _, tag := range []string{"dcterms:created", "dcterms:modified"} {
			b.WriteString("<" + tag + ` xsi:type="dcterms:W3CDTF">` + r.Date + "T00:00:00Z</" + tag + ">")
		}
	}
	b.WriteString("</cp:coreProperties>")
	f.Pkg.Store("docProps/core.xml", []byte(b.String()))
	return f.SetAppProps(&excelize.AppProperties{Application: tool})
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// layerDistricts names the districts a layer-level finding concerns: those
// the extent of its layers meets, or 全域 when that is every district. The
// districts' geometries are the boundary layers' map features whose
// geodesic area is the district's (Result.Districts keeps no geometry).
type layerDistricts struct {
	r      *rules.Result
	ext    *extents
	shapes []*geo.Shape // parallel to r.Districts; nil when not found
	done   bool
}

func newLayerDistricts(r *rules.Result) *layerDistricts {
	return &layerDistricts{r: r, ext: newExtents(r, nil)}
}

func (ld *layerDistricts) of(layers []string) any {
	const all = "全域"
	if !ld.done {
		ld.done = true
		ld.shapes = make([]*geo.Shape, len(ld.r.Districts))
		for _, ml := range ld.r.Map {
			for _, g := range ml.Features {
				if !isPolygonal(g) {
					continue
				}
				a := geo.AreaM2(g)
				for i, d := range ld.r.Districts {
					if ld.shapes[i] == nil && d.Layer == ml.Name && math.Abs(a-d.AreaM2) <= 1e-6*math.Max(1, d.AreaM2) {
						if s, err := geo.NewShape(g); err == nil {
							ld.shapes[i] = s
						}
						break
					}
				}
			}
		}
	}
	b, ok := ld.ext.of(layers)
	if !ok {
		return all
	}
	box, err := geo.NewShape(boxOf(b))
	if err != nil {
		return all
	}
	var names []string
	for i, s := range ld.shapes {
		if s == nil {
			return all // a district without geometry: cannot tell
		}
		if geo.Intersects(box, s) {
			names = append(names, clean(ld.r.Districts[i].Label()))
		}
	}
	if len(names) == 0 || len(names) == len(ld.r.Districts) {
		return all
	}
	return strings.Join(names, "、")
}

func isPolygonal(g orb.Geometry) bool {
	_, ok := asMultiPolygon(g)
	return ok
}

func severityZH(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "严重 error"
	case rules.Warning:
		return "警告 warning"
	}
	return "提示 info"
}
