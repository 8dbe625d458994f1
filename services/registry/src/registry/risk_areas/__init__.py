"""Medium- and high-risk areas, declared and lifted by division code."""
