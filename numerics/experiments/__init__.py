"""Experiments on cell models: descent to the boundary (:mod:`.descent`), sweeps
(:mod:`.sweep`), antagonism potentials (:mod:`.potential`), loss landscapes
(:mod:`.landscapes`), the SHP-1 regime report (:mod:`.shp1_report`), the literature models'
table (:mod:`.literature`), the authors' procedures next to the exact methods
(:mod:`.reproduce`, with the pixel pictures of :mod:`.picture` and the transcribed
scripts of :mod:`.authors`).  Every function takes a cell
model.  The regime measures of cells and networks are :mod:`antagonism.numerics.regime`;
sweeps run through :mod:`antagonism.numerics.executor`."""
