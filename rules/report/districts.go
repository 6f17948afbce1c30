package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

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
			Share:    strconv.FormatFloat(roundTo(s.Share*100, 4), 'f', 4, 64),
		})
	}
	return out
}

func roundTo(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	r := float64(int64(v*p+0.5)) / p
	if v < 0 {
		r = -float64(int64(-v*p+0.5)) / p
	}
	return r
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

// LedgerColumns are the columns Chinese planning bureaus keep in a
// conflict ledger (冲突台账).
var LedgerColumns = []string{"编号", "冲突类型", "所在区县", "图层A", "要素A", "用地类型A", "图层B", "要素B", "用地类型B", "面积(公顷)", "严重程度", "说明", "协调方式", "处理意见"}

// Ledger writes ledger.xlsx: one row per finding in the 冲突台账 columns,
// with empty 协调方式 / 处理意见 for the bureau to fill in.
func Ledger(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "冲突台账"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("report: ledger: %w", err)
	}
	for i, c := range LedgerColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, cell, c); err != nil {
			return fmt.Errorf("report: ledger: %w", err)
		}
	}
	for n, fd := range sortedFindings(r) {
		row := n + 2
		get := func(s []string, i int) string {
			if i < len(s) {
				return clean(s[i])
			}
			return ""
		}
		values := []any{
			fd.Fingerprint(), fd.Rule, clean(fd.District),
			get(fd.Layers, 0), get(fd.Features, 0), get(fd.Classes, 0),
			get(fd.Layers, 1), get(fd.Features, 1), get(fd.Classes, 1),
			rules.Hectares(fd.AreaM2), severityZH(fd.Severity), clean(message(fd)), "", "",
		}
		for i, v := range values {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			var err error
			switch v := v.(type) {
			case string:
				err = f.SetCellStr(sheet, cell, v)
			case float64:
				err = f.SetCellFloat(sheet, cell, v, 4, 64)
			}
			if err != nil {
				return fmt.Errorf("report: ledger: %w", err)
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("report: ledger: %w", err)
	}
	for i, width := range []float64{18, 34, 16, 16, 14, 14, 16, 14, 14, 12, 10, 60, 16, 16} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return fmt.Errorf("report: ledger: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: writing ledger.xlsx: %w", err)
	}
	return nil
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
