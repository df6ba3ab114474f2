"""Experiments on cell models: descent to the boundary (:mod:`.descent`), sweeps
(:mod:`.sweep`), antagonism potentials (:mod:`.potential`), loss landscapes
(:mod:`.landscapes`), the regime measures of cells and networks (:mod:`.regime_measures`)
and the SHP-1 regime report (:mod:`.shp1_report`).  Every function takes a cell model."""
