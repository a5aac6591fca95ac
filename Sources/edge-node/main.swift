print("edge-node")
