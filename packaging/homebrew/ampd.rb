# Homebrew formula for ampd, filled in by packaging/release/build: target/ampd.rb names the
# archive just built (its URL: AMPD_RELEASE_URL=<base> at build, else the file itself) and its
# SHA-256.
#   brew install --formula target/ampd.rb
class Ampd < Formula
  desc "Extracts blockchain data into Parquet and serves SQL over it"
  homepage "@HOMEPAGE@"
  url "@URL@"
  sha256 "@SHA256@"
  version "@VERSION@"

  def install
    # The archive holds its own Java runtime and PostgreSQL: nothing to depend on.
    libexec.install Dir["*"]
    bin.install_symlink libexec/"bin/ampd"
    man1.install_symlink Dir[libexec/"share/man/man1/*.1"]
    bash_completion.install_symlink libexec/"share/bash-completion/completions/ampd"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/ampd --version")
  end
end
