"""``python -m mlwb`` runs the command line."""

from mlwb.cli import main

if __name__ == "__main__":
    main()
