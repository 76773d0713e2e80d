"""What tb_phaseview derives from a graph, as pure functions: no TensorBoard import below this folder."""
