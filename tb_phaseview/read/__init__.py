"""Reading graphs: TensorBoard's data provider, serialised GraphDefs, model files, run metadata -> a Graph."""
