package gpkg

import (
	"context"
	"testing"
)

// BenchmarkRead reads changsha-master of fixtures/czt (370 polygons and
// multipolygons with Chinese names) as ogr2ogr converts it.
func BenchmarkRead(b *testing.B) {
	path := toGPKG(b, "../../fixtures/czt/layers/changsha-master.geojson")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		l, err := Read(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Features) == 0 {
			b.Fatal("no features")
		}
	}
}

// BenchmarkDecodeBlob decodes one 5-point polygon blob as GDAL writes it.
func BenchmarkDecodeBlob(b *testing.B) {
	blob := mustHex(b, gdalBlobs[2].hex)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeBlob(blob); err != nil {
			b.Fatal(err)
		}
	}
}
