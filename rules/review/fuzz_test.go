package review

import (
	"strings"
	"testing"
)

// FuzzParseDecisions: any bytes give decisions or an error naming the
// file, never a panic; what parses has a status, names its finding, and
// an accepted decision has its basis.
func FuzzParseDecisions(f *testing.F) {
	f.Add([]byte("decisions:\n  - rule: layer-overlap\n    features: [a#1, b#2]\n    status: accepted\n    basis: X\n    expires: 2027-12-31\n"))
	f.Add([]byte("decisions:\n  - fingerprint: 0123456789abcdef\n    status: to-fix\n"))
	f.Add([]byte("decisions: [\n"))
	f.Add([]byte("decisions:\n  - {rule: r, features: [x#1], status: under-review, date: 2026-02-30}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ParseDecisions(data, "d.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "review: d.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, d := range ds {
			if d.Status == "" || (d.Fingerprint == "" && len(d.Features) == 0) || (d.Status == "accepted" && d.Basis == "") {
				t.Fatalf("accepted an incomplete decision: %+v", d)
			}
		}
	})
}
