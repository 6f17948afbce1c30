package gpkg_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo/gpkg"
)

func ExampleDecodeBlob() {
	b, _ := gpkg.EncodeBlob(orb.Polygon{{{112.9, 28.1}, {112.91, 28.1}, {112.91, 28.11}, {112.9, 28.1}}}, 4326)
	g, srs, err := gpkg.DecodeBlob(b)
	fmt.Println(g, srs, err)

	// A blob cut short is an error, as a row's Feature.Problem would be.
	_, _, err = gpkg.DecodeBlob(b[:len(b)-8])
	fmt.Println(err)
	// Output:
	// [[[112.9 28.1] [112.91 28.1] [112.91 28.11] [112.9 28.1]]] 4326 <nil>
	// gpkg: invalid geometry: WKB: ends inside a ring of 4 points (64 bytes needed at offset 13, 56 left)
}
