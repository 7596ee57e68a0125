"""File formats the package writes and reads, with no dependency on the simulator.

- :mod:`genshare.formats.vcf`: the VCF 4.3 writer and BGZF compression.
- :mod:`genshare.formats.checksums`: SHA-256 of a file and the ``MANIFEST.sha256`` lines.
"""
