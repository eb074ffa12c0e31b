"""Gold layer: review candidates, decisions and the training tables built from them."""
