package main

import (
	"os"
)

// Reports carry the run date; tests pin it the way a reproducible rerun
// does, so golden files do not change with the calendar.
func init() {
	os.Setenv("SOURCE_DATE_EPOCH", "1772323200") // 2026-03-01
}
