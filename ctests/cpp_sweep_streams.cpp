// A sweep of Boost's formatting streams, one API at a time: bufferstream, ibufferstream,
// obufferstream and their wide forms over a fixed buffer (buffer(), buffer(p, n), seeks,
// what an overflow does), and basic_vectorstream, basic_ivectorstream and
// basic_ovectorstream over std::vector and std::string (vector(), swap_vector, reserve,
// clear, seeks).
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/streams/bufferstream.hpp>
#include <interproc/streams/vectorstream.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace interproc;

static const char *yes(bool b) { return b ? "yes" : "no"; }

static void buffers() {
   char buf[32];
   std::memset(buf, 0, sizeof buf);
   bufferstream bs(buf, sizeof buf);
   bs << "answer " << 42 << ' ' << 2.5;
   std::printf("bufferstream wrote \"%s\", tellp %d, good %s\n", buf, int(bs.tellp()), yes(bs.good()));
   std::string word;
   int n = 0;
   double d = 0;
   bs >> word >> n >> d;
   std::printf("bufferstream read back: %s %d %.1f\n", word.c_str(), n, d);
   std::printf("buffer(): same start %s, size %u\n", yes(bs.buffer().first == buf), unsigned(bs.buffer().second));

   char small[8];
   obufferstream os(small, sizeof small);
   os << "0123456789";
   std::printf("obufferstream overflow: good %s, bad %s, fail %s, tellp %d\n", yes(os.good()), yes(os.bad()), yes(os.fail()),
               int(os.tellp()));
   os.clear();
   char other[16];
   os.buffer(other, sizeof other);
   os << "fits";
   std::printf("buffer(p, n) then write: good %s, text %.4s\n", yes(os.good()), other);

   const char text[] = "7 8 9 end";
   ibufferstream is(text, std::strlen(text));
   int a = 0, b = 0, c = 0;
   is >> a >> b >> c >> word;
   std::printf("ibufferstream: %d %d %d %s, eof %s\n", a, b, c, word.c_str(), yes(is.eof()));
   is.clear();
   is.seekg(2);
   is >> b;
   std::printf("ibufferstream seekg(2): %d\n", b);
   int past = 0;
   is.seekg(0, std::ios::end);
   is >> past;
   std::printf("read at the end: fail %s\n", yes(is.fail()));

   wchar_t wbuf[16];
   wbufferstream ws(wbuf, 16);
   ws << L"wide " << 7;
   std::printf("wbufferstream: tellp %d, good %s\n", int(ws.tellp()), yes(ws.good()));
}

static void vectors() {
   typedef basic_vectorstream<std::vector<char>> vstream;
   vstream vs;
   vs.reserve(64);
   vs << "alpha " << 1 << ' ' << 2;
   std::printf("vectorstream: \"%.*s\", size %u\n", int(vs.vector().size()), vs.vector().data(), unsigned(vs.vector().size()));
   std::string w;
   int x = 0, y = 0;
   vs >> w >> x >> y;
   std::printf("vectorstream read back: %s %d %d\n", w.c_str(), x, y);
   std::vector<char> mine;
   vs.swap_vector(mine);
   std::printf("swap_vector: mine has %u, stream has %u\n", unsigned(mine.size()), unsigned(vs.vector().size()));
   vs.clear();
   vs << "again";
   std::printf("after swap, write: \"%.*s\"\n", int(vs.vector().size()), vs.vector().data());
   vs.seekp(0);
   vs << "A";
   std::printf("seekp(0), write: \"%.*s\"\n", int(vs.vector().size()), vs.vector().data());

   basic_ovectorstream<std::string> os;
   for (int i = 0; i < 100; ++i) {
      os << i % 10;
   }
   std::printf("ovectorstream<string>: size %u, starts %.12s\n", unsigned(os.vector().size()), os.vector().c_str());
   std::string taken;
   os.swap_vector(taken);
   std::printf("swap_vector: taken %u, left %u\n", unsigned(taken.size()), unsigned(os.vector().size()));

   std::vector<char> src = {'3', ' ', '4', ' ', '5'};
   basic_ivectorstream<std::vector<char>> is(std::allocator<char>{});
   is.swap_vector(src);
   int p = 0, q = 0, r = 0;
   is >> p >> q >> r;
   std::printf("ivectorstream: %d %d %d, eof %s\n", p, q, r, yes(is.eof()));
}

int main() {
   buffers();
   vectors();
   std::printf("done\n");
   return 0;
}
