from qadeck.cli import main

if __name__ == "__main__":  # not again in worker processes (spawn imports this module)
    main()
