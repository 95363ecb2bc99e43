from crpsdigest.cli import main

main()
