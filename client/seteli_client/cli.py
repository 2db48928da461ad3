def main() -> int:  # placeholder, replaced by the client work
    print("seteli client")
    return 0
