"""Tables on page images: finding the grid, reading the cells, writing CSV / XLSX / text."""
