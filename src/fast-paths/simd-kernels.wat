;; The WASM backend's SIMD kernels (wasm-simd-kernels.ts runs them in the backend's own memory).
;; Compiled by `npm run build:wasm` (wabt) into simd-kernels.wasm.ts, once with this memory import and
;; once with it shared (the threaded build's memory); test/wasm-kernels-source.test.ts checks the two.
;; Every pointer is a byte offset into that memory; every C (columns) is a multiple of 4, so a row is
;; whole 16-byte vectors. Sums run in a fixed order: the same inputs give the same bits.
(module
  (import "env" "memory" (memory 0))

  ;; weightedSum(x, v, out, G, K, R, C): v [G, K, R], x [G, R, C] → out [G, K, C],
  ;; out_gk = Σ_r v_gkr x_gr (vᵀX per image): each v_gkr times row x_gr, added into row out_gk.
  (func (export "weightedSum")
    (param $x i32) (param $v i32) (param $out i32) (param $G i32) (param $K i32) (param $R i32) (param $C i32)
    (local $g i32) (local $j i32) (local $r i32) (local $cb i32) (local $rowBytes i32)
    (local $xImage i32) (local $vRow i32) (local $outRow i32) (local $xRow i32)
    (local $weight v128)
    (local.set $rowBytes (i32.mul (local.get $C) (i32.const 4)))
    (local.set $g (i32.const 0))
    (block $images (loop $image
      (br_if $images (i32.ge_u (local.get $g) (local.get $G)))
      (local.set $xImage (i32.add (local.get $x) (i32.mul (i32.mul (local.get $g) (local.get $R)) (local.get $rowBytes))))
      (local.set $j (i32.const 0))
      (block $rows (loop $row
        (br_if $rows (i32.ge_u (local.get $j) (local.get $K)))
        (local.set $outRow (i32.add (local.get $out)
          (i32.mul (i32.add (i32.mul (local.get $g) (local.get $K)) (local.get $j)) (local.get $rowBytes))))
        (local.set $vRow (i32.add (local.get $v)
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $g) (local.get $K)) (local.get $j)) (local.get $R)) (i32.const 4))))
        ;; out_gk = 0
        (local.set $cb (i32.const 0))
        (block $zeroed (loop $zero
          (br_if $zeroed (i32.ge_u (local.get $cb) (local.get $rowBytes)))
          (v128.store align=4 (i32.add (local.get $outRow) (local.get $cb)) (v128.const i32x4 0 0 0 0))
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $zero)))
        ;; out_gk += v_gkr · x_gr for each r
        (local.set $r (i32.const 0))
        (block $terms (loop $term
          (br_if $terms (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $weight (f32x4.splat (f32.load (i32.add (local.get $vRow) (i32.mul (local.get $r) (i32.const 4))))))
          (local.set $xRow (i32.add (local.get $xImage) (i32.mul (local.get $r) (local.get $rowBytes))))
          (local.set $cb (i32.const 0))
          (block $done (loop $columns
            (br_if $done (i32.ge_u (local.get $cb) (local.get $rowBytes)))
            (v128.store align=4 (i32.add (local.get $outRow) (local.get $cb))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $outRow) (local.get $cb)))
                (f32x4.mul (local.get $weight) (v128.load align=4 (i32.add (local.get $xRow) (local.get $cb))))))
            (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
            (br $columns)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $term)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $row)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $image))))

  ;; rowDots(x, v, out, G, K, R, C): v [G, K, C], x [G, R, C] → out [G, K, R], out_gkr = v_gk · x_gr
  ;; (Xv per image): four lanes of products summed along the row, then the lanes (0 + 1 + 2 + 3).
  (func (export "rowDots")
    (param $x i32) (param $v i32) (param $out i32) (param $G i32) (param $K i32) (param $R i32) (param $C i32)
    (local $g i32) (local $j i32) (local $r i32) (local $cb i32) (local $rowBytes i32)
    (local $xImage i32) (local $vRow i32) (local $outRow i32) (local $xRow i32)
    (local $dot v128)
    (local.set $rowBytes (i32.mul (local.get $C) (i32.const 4)))
    (local.set $g (i32.const 0))
    (block $images (loop $image
      (br_if $images (i32.ge_u (local.get $g) (local.get $G)))
      (local.set $xImage (i32.add (local.get $x) (i32.mul (i32.mul (local.get $g) (local.get $R)) (local.get $rowBytes))))
      (local.set $j (i32.const 0))
      (block $rows (loop $row
        (br_if $rows (i32.ge_u (local.get $j) (local.get $K)))
        (local.set $vRow (i32.add (local.get $v)
          (i32.mul (i32.add (i32.mul (local.get $g) (local.get $K)) (local.get $j)) (local.get $rowBytes))))
        (local.set $outRow (i32.add (local.get $out)
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $g) (local.get $K)) (local.get $j)) (local.get $R)) (i32.const 4))))
        (local.set $r (i32.const 0))
        (block $dots (loop $each
          (br_if $dots (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $xRow (i32.add (local.get $xImage) (i32.mul (local.get $r) (local.get $rowBytes))))
          (local.set $dot (v128.const i32x4 0 0 0 0))
          (local.set $cb (i32.const 0))
          (block $done (loop $columns
            (br_if $done (i32.ge_u (local.get $cb) (local.get $rowBytes)))
            (local.set $dot (f32x4.add (local.get $dot)
              (f32x4.mul
                (v128.load align=4 (i32.add (local.get $vRow) (local.get $cb)))
                (v128.load align=4 (i32.add (local.get $xRow) (local.get $cb))))))
            (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
            (br $columns)))
          (f32.store (i32.add (local.get $outRow) (i32.mul (local.get $r) (i32.const 4)))
            (f32.add (f32.add (f32.add
              (f32x4.extract_lane 0 (local.get $dot))
              (f32x4.extract_lane 1 (local.get $dot)))
              (f32x4.extract_lane 2 (local.get $dot)))
              (f32x4.extract_lane 3 (local.get $dot))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $each)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $row)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $image))))

  ;; columnSums(x, out, G, R, C): x [G, R, C] → out [G, C], out_g = Σ_r x_gr (rows added in order).
  (func (export "columnSums")
    (param $x i32) (param $out i32) (param $G i32) (param $R i32) (param $C i32)
    (local $g i32) (local $r i32) (local $cb i32) (local $rowBytes i32) (local $xImage i32) (local $outRow i32) (local $xRow i32)
    (local.set $rowBytes (i32.mul (local.get $C) (i32.const 4)))
    (local.set $g (i32.const 0))
    (block $images (loop $image
      (br_if $images (i32.ge_u (local.get $g) (local.get $G)))
      (local.set $outRow (i32.add (local.get $out) (i32.mul (local.get $g) (local.get $rowBytes))))
      (local.set $xImage (i32.add (local.get $x) (i32.mul (i32.mul (local.get $g) (local.get $R)) (local.get $rowBytes))))
      (local.set $cb (i32.const 0))
      (block $zeroed (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $cb) (local.get $rowBytes)))
        (v128.store align=4 (i32.add (local.get $outRow) (local.get $cb)) (v128.const i32x4 0 0 0 0))
        (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
        (br $zero)))
      (local.set $r (i32.const 0))
      (block $rows (loop $row
        (br_if $rows (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $xRow (i32.add (local.get $xImage) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $cb (i32.const 0))
        (block $done (loop $columns
          (br_if $done (i32.ge_u (local.get $cb) (local.get $rowBytes)))
          (v128.store align=4 (i32.add (local.get $outRow) (local.get $cb))
            (f32x4.add
              (v128.load align=4 (i32.add (local.get $outRow) (local.get $cb)))
              (v128.load align=4 (i32.add (local.get $xRow) (local.get $cb)))))
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $columns)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $image))))

  ;; rowSums(x, out, N, C): x [N, C] → out [N], out_n = Σ_c x_nc (four lanes along the row, then 0 + 1 + 2 + 3).
  (func (export "rowSums")
    (param $x i32) (param $out i32) (param $N i32) (param $C i32)
    (local $n i32) (local $cb i32) (local $rowBytes i32) (local $xRow i32)
    (local $sum v128)
    (local.set $rowBytes (i32.mul (local.get $C) (i32.const 4)))
    (local.set $n (i32.const 0))
    (block $rows (loop $row
      (br_if $rows (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $xRow (i32.add (local.get $x) (i32.mul (local.get $n) (local.get $rowBytes))))
      (local.set $sum (v128.const i32x4 0 0 0 0))
      (local.set $cb (i32.const 0))
      (block $done (loop $columns
        (br_if $done (i32.ge_u (local.get $cb) (local.get $rowBytes)))
        (local.set $sum (f32x4.add (local.get $sum) (v128.load align=4 (i32.add (local.get $xRow) (local.get $cb)))))
        (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
        (br $columns)))
      (f32.store (i32.add (local.get $out) (i32.mul (local.get $n) (i32.const 4)))
        (f32.add (f32.add (f32.add
          (f32x4.extract_lane 0 (local.get $sum))
          (f32x4.extract_lane 1 (local.get $sum)))
          (f32x4.extract_lane 2 (local.get $sum)))
          (f32x4.extract_lane 3 (local.get $sum))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $row))))

  ;; adam(value, grad, m, v, hyper, outValue, outM, outV, n), hyper = [lr, β1, β2, ε, 1 − β1ᵗ, 1 − β2ᵗ]:
  ;;   m' = β1 m + (1 − β1) g,  v' = β2 v + (1 − β2) g²,  value' = value − ((m' / c1) / (√(v' / c2) + ε)) · lr
  ;; in the order of src/train/adam.ts (the reference); 1 − β in float32; n % 4 = 0.
  (func (export "adam")
    (param $value i32) (param $grad i32) (param $m i32) (param $v i32) (param $hyper i32)
    (param $outValue i32) (param $outM i32) (param $outV i32) (param $n i32)
    (local $ib i32) (local $bytes i32)
    (local $lr v128) (local $b1 v128) (local $b2 v128) (local $eps v128) (local $c1 v128) (local $c2 v128)
    (local $oneMinusB1 v128) (local $oneMinusB2 v128) (local $g v128) (local $nextM v128) (local $nextV v128)
    (local.set $bytes (i32.mul (local.get $n) (i32.const 4)))
    (local.set $lr (f32x4.splat (f32.load (local.get $hyper))))
    (local.set $b1 (f32x4.splat (f32.load (i32.add (local.get $hyper) (i32.const 4)))))
    (local.set $b2 (f32x4.splat (f32.load (i32.add (local.get $hyper) (i32.const 8)))))
    (local.set $eps (f32x4.splat (f32.load (i32.add (local.get $hyper) (i32.const 12)))))
    (local.set $c1 (f32x4.splat (f32.load (i32.add (local.get $hyper) (i32.const 16)))))
    (local.set $c2 (f32x4.splat (f32.load (i32.add (local.get $hyper) (i32.const 20)))))
    (local.set $oneMinusB1 (f32x4.splat (f32.sub (f32.const 1) (f32.load (i32.add (local.get $hyper) (i32.const 4))))))
    (local.set $oneMinusB2 (f32x4.splat (f32.sub (f32.const 1) (f32.load (i32.add (local.get $hyper) (i32.const 8))))))
    (local.set $ib (i32.const 0))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $ib) (local.get $bytes)))
      (local.set $g (v128.load align=4 (i32.add (local.get $grad) (local.get $ib))))
      (local.set $nextM (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $ib))) (local.get $b1))
        (f32x4.mul (local.get $g) (local.get $oneMinusB1))))
      (local.set $nextV (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $ib))) (local.get $b2))
        (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (local.get $oneMinusB2))))
      (v128.store align=4 (i32.add (local.get $outM) (local.get $ib)) (local.get $nextM))
      (v128.store align=4 (i32.add (local.get $outV) (local.get $ib)) (local.get $nextV))
      (v128.store align=4 (i32.add (local.get $outValue) (local.get $ib))
        (f32x4.sub
          (v128.load align=4 (i32.add (local.get $value) (local.get $ib)))
          (f32x4.mul
            (f32x4.div
              (f32x4.div (local.get $nextM) (local.get $c1))
              (f32x4.add (f32x4.sqrt (f32x4.div (local.get $nextV) (local.get $c2))) (local.get $eps)))
            (local.get $lr))))
      (local.set $ib (i32.add (local.get $ib) (i32.const 16)))
      (br $each)))))
