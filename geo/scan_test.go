package geo

import (
	"strconv"
	"testing"
)

// fastFloat must agree bit for bit with strconv wherever it answers.
func FuzzFastFloat(f *testing.F) {
	for _, s := range []string{"112.9308658", "-0", "0.1", "28.0999872", "123456789012345", "0.000000000000000000001", "3859412.375", "1.5", "-179.9999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := fastFloat([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("fastFloat accepted %q that strconv rejects: %v", s, err)
		}
		if v != want || (v == 0 && (1/v > 0) != (1/want > 0)) {
			t.Fatalf("fastFloat(%q) = %v, strconv %v", s, v, want)
		}
	})
}
